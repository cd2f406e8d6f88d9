package io.github.astfiji.core.registry;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.backbone.TorchScriptBackbone;
import io.github.astfiji.core.backbone.pretrained.PretrainedBackbones;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.storage.Checksums;
import io.github.astfiji.core.weights.WeightsStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a user names as the backbone, made into one: a built-in id, a pretrained network by
 * name (its published weights fetched once into the weights folder), a published weights
 * file given by hand, a network's own weights ("resnet18=FILE"), or a TorchScript file; and
 * the backbone a model was trained with, opened again for detection.
 */
public final class BackboneSetup {

    /** Where pretrained weights come from, how their download is shown, and whether one may start. */
    public record Fetching(WeightsStore store, Progress progress, boolean allowDownload) {

        /** The standard weights folder, downloads allowed unless switched off, messages to {@code log}. */
        public static Fetching standard(Progress progress, Consumer<String> log) {
            return new Fetching(WeightsStore.standard(log), progress, !Boolean.getBoolean(WeightsStore.OFFLINE_PROPERTY));
        }
    }

    private BackboneSetup() {
    }

    /** "builtin", a built-in id, a pretrained name, or a file; null or blank gives the default built-in. */
    public static Backbone create(String spec, NDManager manager, int imageSize, long seed) throws IOException {
        return create(spec, Backbones.DEFAULT_BUILTIN, manager, imageSize, seed);
    }

    /** As above, with the built-in a method uses when the user names none; downloads are reported on stderr. */
    public static Backbone create(String spec, String defaultBuiltin, NDManager manager, int imageSize, long seed) throws IOException {
        return create(spec, defaultBuiltin, manager, imageSize, seed, Fetching.standard(Progress.NONE, System.err::println));
    }

    public static Backbone create(String spec, String defaultBuiltin, NDManager manager, int imageSize, long seed,
                                  Fetching fetching) throws IOException {
        if (spec == null || spec.isBlank() || spec.equals("builtin")) {
            return Backbones.builtin(defaultBuiltin, manager, seed);
        }
        if (spec.startsWith("builtin:")) {
            return Backbones.builtin(spec, manager, seed);
        }
        PretrainedBackbones.Entry named = PretrainedBackbones.byName(spec);
        if (named != null) {
            Path weights = fetching.store().fetch(named.weights(), fetching.allowDownload(), fetching.progress());
            return PretrainedBackbones.open(named, weights, named.weights().sha256(), manager);
        }
        int eq = spec.indexOf('=');
        if (eq > 0 && PretrainedBackbones.byName(spec.substring(0, eq)) != null) {
            // a network's own weights (fine-tuned, or another copy): recorded by their checksum
            return PretrainedBackbones.open(PretrainedBackbones.byName(spec.substring(0, eq)), Path.of(spec.substring(eq + 1)), manager);
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new IOException("backbone '" + spec + "' is neither a file nor a backbone this plugin knows. Use one of "
                    + PretrainedBackbones.names() + " (ImageNet weights, downloaded once), builtin, or a TorchScript file "
                    + "exported with scripts/export_backbone.py.");
        }
        if (isStateDict(file)) {
            return fromWeightsFile(file, manager, fetching);
        }
        return new TorchScriptBackbone(manager, file, imageSize);
    }

    /** A published weights file given by hand (an offline machine): recognised by its SHA-256 and kept in the weights folder. */
    private static Backbone fromWeightsFile(Path file, NDManager manager, Fetching fetching) throws IOException {
        String sum = Checksums.sha256(file);
        List<PretrainedBackbones.Entry> matches = PretrainedBackbones.byChecksum(sum);
        if (matches.isEmpty()) {
            throw new IOException(file + " holds PyTorch weights, but not a file this plugin knows (its SHA-256 is " + sum
                    + "). Give the published file of " + PretrainedBackbones.names() + ", name the network with "
                    + "NAME=FILE (e.g. resnet18=" + file.getFileName() + ") for other weights of the same network, or export "
                    + "your own network as TorchScript (scripts/export_backbone.py).");
        }
        PretrainedBackbones.Entry entry = matches.get(0);
        Path kept = fetching.store().adopt(file, entry.weights());
        return PretrainedBackbones.open(entry, kept, sum, manager);
    }

    /**
     * The backbone a training uses: the user's choice, else the preset's pretrained network,
     * else the method's built-in one for the kind of the training images (their first is
     * read when it matters); weights fetched with downloads shown on {@code progress}.
     */
    public static Backbone forTraining(io.github.astfiji.core.method.Method method, io.github.astfiji.core.method.DetectorConfig config,
                                       String userSpec, List<? extends ImageSource> images, NDManager manager, Progress progress)
            throws IOException {
        String spec = TrainingSetup.backboneFor(method, config, userSpec);
        String builtin = method.defaultBackbone();
        if ((spec == null || spec.isBlank() || spec.equals("builtin")) && !images.isEmpty()) {
            builtin = method.defaultBackbone(images.get(0).load().isComposite());
        }
        return create(spec, builtin, manager, config.imageSize, config.seed, Fetching.standard(progress, progress::note));
    }

    /**
     * Opens the backbone a model was trained with: a pretrained network's published weights
     * are fetched like at training; other weights and TorchScript files are looked for where
     * they were ({@code recorded}), beside the model, or where the user points
     * ({@code override}); each must have the recorded SHA-256.
     */
    public static Backbone reopen(String id, String checksum, Path recorded, Path model, Path override, NDManager manager,
                                  int imageSize, Fetching fetching) throws IOException {
        PretrainedBackbones.Entry entry = id.startsWith(PretrainedBackbones.ID_PREFIX) ? PretrainedBackbones.byName(id) : null;
        if (id.startsWith(PretrainedBackbones.ID_PREFIX) && entry == null) {
            throw new IOException(model.getFileName() + " was trained with the backbone '" + id + "', which this version does not have. "
                    + "Update the plugin.");
        }
        Path candidate = override;
        if (candidate == null && recorded != null) {
            Path besideModel = model.toAbsolutePath().getParent().resolve(recorded.getFileName());
            candidate = Files.isRegularFile(recorded) ? recorded : besideModel;
        }
        if (entry != null && override == null && entry.weights().sha256().equals(checksum)) {
            // the published weights: from the weights folder, else from where the model says they were (an offline
            // computer that was given the file by hand), else downloaded
            Path cached = fetching.store().pathOf(entry.weights());
            if (Files.isRegularFile(cached) && WeightsStore.problem(cached, entry.weights()) == null) {
                return PretrainedBackbones.open(entry, cached, checksum, manager); // checked once, not again by fetch
            }
            if (candidate != null && Files.isRegularFile(candidate) && WeightsStore.problem(candidate, entry.weights()) == null) {
                return PretrainedBackbones.open(entry, fetching.store().adopt(candidate, entry.weights()), checksum, manager);
            }
            Path fetched = fetching.store().fetch(entry.weights(), fetching.allowDownload(), fetching.progress());
            return PretrainedBackbones.open(entry, fetched, checksum, manager);
        }
        String what = entry != null ? entry.title() + " weights" : "TorchScript backbone";
        if (candidate == null || !Files.isRegularFile(candidate)) {
            throw new IOException(model.getFileName() + " was trained with the " + what + " " + recorded + ", which is not "
                    + (override != null ? "at " + override : "there") + ". Put that file beside the model or give it as the backbone.");
        }
        String actual = Checksums.sha256(candidate);
        if (!actual.equals(checksum)) {
            throw new IOException("backbone " + candidate + " is not the one " + model.getFileName() + " was trained with (SHA-256 "
                    + actual.substring(0, 12) + "... instead of " + checksum.substring(0, 12) + "...). Use the original backbone file.");
        }
        if (entry != null) {
            return PretrainedBackbones.open(entry, candidate, actual, manager);
        }
        return new TorchScriptBackbone(manager, candidate, imageSize);
    }

    /**
     * The same backbone as its pooled descriptor, where the network has one (ResNet-18: what
     * Uninformed Students' teachers are distilled from), whichever way it was named: by name,
     * as NAME=FILE, or as the published file itself; other specs are returned as they are.
     */
    public static String asPooledDescriptor(String spec) throws IOException {
        if (spec == null) {
            return null;
        }
        int eq = spec.indexOf('=');
        String name = eq > 0 ? spec.substring(0, eq) : spec;
        PretrainedBackbones.Entry e = PretrainedBackbones.byName(name);
        if (e == null && Files.isRegularFile(Path.of(spec)) && isStateDict(Path.of(spec))) {
            List<PretrainedBackbones.Entry> m = PretrainedBackbones.byChecksum(Checksums.sha256(Path.of(spec)));
            e = m.isEmpty() ? null : m.get(0);
            eq = 0;
            name = null;
        }
        if (e == null || PretrainedBackbones.byName(e.name() + "-pooled") == null) {
            return spec;
        }
        String pooled = e.name() + "-pooled";
        return name == null ? pooled + "=" + spec : eq > 0 ? pooled + spec.substring(eq) : pooled;
    }

    /** A torch.save state dict (weights only), as opposed to a TorchScript program (which also holds code). */
    static boolean isStateDict(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
                return head.length >= 2 && (head[0] & 0xff) == 0x80; // a legacy torch.save stream starts with a pickle
            }
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean pickle = false;
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                String n = e.getName();
                if (n.contains("/code/") || n.endsWith("constants.pkl")) {
                    return false;
                }
                pickle |= n.endsWith("data.pkl");
            }
            return pickle;
        }
    }
}
