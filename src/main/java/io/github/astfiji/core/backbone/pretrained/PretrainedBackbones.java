package io.github.astfiji.core.backbone.pretrained;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.storage.Checksums;
import io.github.astfiji.core.weights.TorchCheckpoint;
import io.github.astfiji.core.weights.WeightsFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The papers' ImageNet backbones, built in Java from the weights torchvision publishes
 * (download.pytorch.org, BSD-3-Clause code; the weights are those torchvision's model
 * builders load, so features equal a torchvision user's). Sizes and SHA-256 digests pinned
 * here agree with torchvision's metadata (file sizes in MiB) and the hash prefix in each name.
 * One entry per way the project
 * uses a network; entries of the same network share its weights file.
 */
public final class PretrainedBackbones {

    /** Prefix of the ids stored in model files. */
    public static final String ID_PREFIX = "pretrained:";

    /** How a catalogue entry builds its network from a state dict. */
    interface Builder {
        Backbone build(NDManager manager, String id, String checksum, StateDict weights) throws IOException;
    }

    /** One choosable backbone. */
    public record Entry(String name, String title, String purpose, WeightsFile weights, Builder builder) {

        /** The id models record, e.g. "pretrained:efficientnet-b5". */
        public String id() {
            return ID_PREFIX + name;
        }

        /** "EfficientNet-B5, ImageNet (122.5 MB, downloaded once)" */
        public String label() {
            return title + ", ImageNet (" + weights.size() + ", downloaded once)";
        }
    }

    static final WeightsFile RESNET18 = new WeightsFile("resnet18-f37072fd.pth",
            "https://download.pytorch.org/models/resnet18-f37072fd.pth", 46_830_571L,
            "f37072fd47e89c5e827621c5baffa7500819f7896bbacec160b1a16c560e07ec");
    static final WeightsFile WIDE_RESNET50_2 = new WeightsFile("wide_resnet50_2-95faca4d.pth",
            "https://download.pytorch.org/models/wide_resnet50_2-95faca4d.pth", 138_223_492L,
            "95faca4d11227dddf8633dbb5ff6c8a9003c1aa5b8945c73834b8007b10950b8");
    // torchvision first published this file as ...-b6417697.pth (lukemelas's own prefix, not its digest);
    // since torchvision 0.16 it is ...-1a07897c.pth, the same bytes (pytorch/vision#8036)
    static final WeightsFile EFFICIENTNET_B5 = new WeightsFile("efficientnet_b5_lukemelas-1a07897c.pth",
            "https://download.pytorch.org/models/efficientnet_b5_lukemelas-1a07897c.pth", 122_540_693L,
            "1a07897c0d357db7981640f6be44a63420f11deb932344a69768b62ebe272946");

    private static final List<Entry> ALL = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(
            new Entry("efficientnet-b5", "EfficientNet-B5", "AST's backbone in the paper: blocks 1-36, 304 channels at stride 32",
                    EFFICIENTNET_B5, (m, id, sum, w) -> new EfficientNetFeatures(m, id, sum, w)),
            new Entry("wide-resnet50-2", "WideResNet-50-2", "Reverse Distillation's encoder in the paper: layers 1-3 (256, 512, 1024 "
                    + "channels at strides 4, 8, 16)", WIDE_RESNET50_2,
                    (m, id, sum, w) -> new ResNetFeatures(m, id, sum, w, ResNetFeatures.Variant.WIDE_RESNET50_2, ResNetFeatures.Output.LAYERS_1_TO_3)),
            new Entry("resnet18", "ResNet-18", "a light backbone for AST on CPUs: layer 3, 256 channels at stride 16", RESNET18,
                    (m, id, sum, w) -> new ResNetFeatures(m, id, sum, w, ResNetFeatures.Variant.RESNET18, ResNetFeatures.Output.LAYER3)),
            new Entry("resnet18-pooled", "ResNet-18 (pooled)", "what Uninformed Students' teachers are distilled from "
                    + "(make-us-teacher): the whole network's 512-d average-pooled descriptor", RESNET18,
                    (m, id, sum, w) -> new ResNetFeatures(m, id, sum, w, ResNetFeatures.Variant.RESNET18, ResNetFeatures.Output.POOLED))));

    private PretrainedBackbones() {
    }

    public static List<Entry> all() {
        return List.copyOf(ALL);
    }

    /**
     * Adds a network known here under another name with other published weights (a lab's
     * own fine-tuned copy on its server; tests serve weights from the loopback address).
     */
    public static Entry register(String name, String sameNetworkAs, WeightsFile weights) {
        Entry like = byName(sameNetworkAs);
        if (like == null || byName(name) != null) {
            throw new IllegalArgumentException("cannot register '" + name + "' like '" + sameNetworkAs + "'");
        }
        Entry e = new Entry(name, like.title(), like.purpose(), weights, like.builder());
        ALL.add(e);
        return e;
    }

    /** The entry named "efficientnet-b5" (also "pretrained:efficientnet-b5", "EfficientNet-B5", "efficientnet_b5"), or null. */
    public static Entry byName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        if (n.startsWith(ID_PREFIX)) {
            n = n.substring(ID_PREFIX.length());
        }
        for (Entry e : ALL) {
            if (e.name().equals(n)) {
                return e;
            }
        }
        return null;
    }

    /** The entries whose published file is this digest (several when one network is used in several ways). */
    public static List<Entry> byChecksum(String sha256) {
        return ALL.stream().filter(e -> e.weights().sha256().equals(sha256)).toList();
    }

    /** "efficientnet-b5, wide-resnet50-2, ..." for messages and help. */
    public static String names() {
        return String.join(", ", ALL.stream().map(Entry::name).toList());
    }

    /**
     * Builds the entry's network from a weights file: the published one, or a state dict of
     * the same network (e.g. fine-tuned or, in tests, random). The model records the file's
     * SHA-256, so detection uses exactly these weights.
     */
    public static Backbone open(Entry e, Path weightsFile, NDManager manager) throws IOException {
        return open(e, weightsFile, Checksums.sha256(weightsFile), manager);
    }

    /** As above, for a file whose SHA-256 was just checked (a weights file is not read twice to hash it). */
    public static Backbone open(Entry e, Path weightsFile, String checksum, NDManager manager) throws IOException {
        NDManager owner = manager.newSubManager();
        try (NDManager scratch = owner.newSubManager()) {
            StateDict weights = new StateDict(weightsFile, e.title(), TorchCheckpoint.read(weightsFile, scratch));
            // the network attaches the (folded) tensors it keeps to its own manager; the rest goes with the scratch scope
            return e.builder().build(owner, e.id(), checksum, weights);
        } catch (IOException | RuntimeException ex) {
            owner.close(); // nothing of a network that could not be built stays behind
            throw ex;
        }
    }
}
