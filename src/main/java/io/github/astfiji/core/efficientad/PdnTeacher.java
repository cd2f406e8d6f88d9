package io.github.astfiji.core.efficientad;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.storage.AtomicFiles;
import io.github.astfiji.core.storage.ModelFormatException;
import io.github.astfiji.core.storage.TeacherZip;
import io.github.astfiji.core.weights.TorchCheckpoint;
import io.github.astfiji.core.weights.WeightsFile;
import io.github.astfiji.core.weights.WeightsStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A pretrained EfficientAD teacher: a PDN's weights (tensors teacher.convK.*) in a
 * {@link TeacherZip}, with its shape and how it was made. The built-in one ships inside
 * the plugin (distilled here, offline, by make-pdn-teacher; README says from what); others
 * are files a user made with make-pdn-teacher from any backbone the plugin can load.
 */
public final class PdnTeacher {

    public static final String BUILTIN = "builtin";
    /** The published teacher distilled from an ImageNet network, fetched on first use. */
    public static final String IMAGENET = "imagenet";
    static final String RESOURCE = "/io/github/astfiji/core/efficientad/builtin-pdn-teacher.zip";
    static final String FORMAT = "ast-fiji-pdn-teacher";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** What teacher.json holds. */
    public static final class Info {
        public String format = FORMAT;
        public int formatVersion = 1;
        /** "small" or "medium". */
        public String modelSize = "small";
        public float widthFactor = 1f;
        public int channels = 384;
        /** How it was made: target network, images, steps, loss. */
        public String provenance = "";
    }

    public final Info info;
    public final String sha256;
    public final Map<String, float[]> weights;

    private PdnTeacher(Info info, String sha256, Map<String, float[]> weights) {
        this.info = info;
        this.sha256 = sha256;
        this.weights = weights;
    }

    /** The teacher the settings name; a missing or unreadable one is refused as a bad setting, with the reason. */
    static PdnTeacher forSettings(EfficientAdConfig c) {
        try {
            return load(c.teacher, c.modelSize);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The built-in teacher, the published ImageNet-distilled one of the given size
     * ("imagenet", fetched once into the weights folder), or a teacher file; problems name
     * the file and what to do.
     */
    public static PdnTeacher load(String spec, String modelSize) throws IOException {
        if (IMAGENET.equals(spec)) {
            return published(PUBLISHED, modelSize, WeightsStore.standard(System.err::println),
                    !Boolean.getBoolean(WeightsStore.OFFLINE_PROPERTY), Progress.NONE);
        }
        if (spec == null || spec.isBlank() || spec.equals(BUILTIN)) {
            try (InputStream in = PdnTeacher.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("the built-in EfficientAD teacher is missing from this build; rebuild the plugin, "
                            + "or make one with make-pdn-teacher and give it as the teacher");
                }
                return read(in.readAllBytes(), "the built-in EfficientAD teacher");
            }
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "EfficientAD teacher file not found; make one with make-pdn-teacher, "
                    + "or leave the teacher setting out to use the built-in one");
        }
        return read(Files.readAllBytes(file), file.toString());
    }

    /**
     * The PDN teachers the paper's authors' method was published with, distilled from an
     * ImageNet WideResNet-101 (released by anomalib: small and medium in one zip of
     * state dicts named conv1.weight, ...); the digest is pinned, so any other file is refused.
     */
    static final WeightsFile PUBLISHED = new WeightsFile("efficientad_pretrained_weights.zip",
            "https://github.com/open-edge-platform/anomalib/releases/download/efficientad_pretrained_weights/efficientad_pretrained_weights.zip",
            39_960_466L, "c09aeaa2b33f244b3261a5efdaeae8f8284a949470a4c5a526c61275fe62684a");

    /** The published teacher of a size from a (pinned) weights zip, fetched into the store when missing. */
    static PdnTeacher published(WeightsFile file, String modelSize, WeightsStore store, boolean allowDownload, Progress progress)
            throws IOException {
        Path zip = store.fetch(file, allowDownload, progress);
        String wanted = "pretrained_teacher_" + modelSize + ".pth";
        Path pth = store.folder().resolve("efficientad_" + wanted);
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ZipEntry entry = z.stream().filter(e -> e.getName().endsWith(wanted)).findFirst()
                    .orElseThrow(() -> new ModelFormatException(zip + " has no " + wanted + "; delete it so that it is fetched again"));
            if (!Files.isRegularFile(pth) || Files.size(pth) != entry.getSize()) {
                Path part = AtomicFiles.newPartFile(pth);
                try {
                    try (InputStream in = z.getInputStream(entry)) {
                        Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.move(part, pth, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
        }
        Map<String, float[]> weights = new LinkedHashMap<>();
        try (NDManager m = Engines.newManager()) {
            for (Map.Entry<String, NDArray> e : TorchCheckpoint.read(pth, m).entrySet()) {
                weights.put("teacher." + e.getKey(), e.getValue().toFloatArray());
            }
        }
        float[] first = weights.get("teacher.conv1.weight");
        float[] last = weights.get("teacher.conv" + ("medium".equals(modelSize) ? 6 : 4) + ".bias");
        if (first == null || last == null) {
            throw new ModelFormatException(pth + " is not a PDN-" + ("medium".equals(modelSize) ? "M" : "S")
                    + " state dict (no conv1.weight or last bias); delete it and " + zip + " so that they are fetched again");
        }
        Info info = new Info();
        info.modelSize = modelSize;
        info.widthFactor = first.length / (3f * 16f) / ("medium".equals(modelSize) ? 256f : 128f);
        info.channels = last.length;
        info.provenance = "the published ImageNet-distilled PDN (" + file.name() + ", SHA-256 " + file.sha256() + ", " + wanted + ")";
        return new PdnTeacher(info, file.sha256() + ":" + wanted, weights);
    }

    private static PdnTeacher read(byte[] zip, String where) throws IOException {
        TeacherZip.Contents c = TeacherZip.read(zip, where, "make-pdn-teacher");
        Info info;
        try {
            info = GSON.fromJson(c.json, Info.class);
        } catch (RuntimeException e) {
            throw new ModelFormatException(where + " has a damaged teacher.json (" + e.getMessage() + "); make it again with make-pdn-teacher", e);
        }
        if (info == null || !FORMAT.equals(info.format)) {
            throw new ModelFormatException(where + " is not an EfficientAD teacher file (make-pdn-teacher writes those)");
        }
        if (info.formatVersion > 1) {
            throw new ModelFormatException(where + " was written by a newer version (teacher format " + info.formatVersion + "); update the plugin");
        }
        return new PdnTeacher(info, c.sha256, c.tensors);
    }

    /** Writes a teacher file atomically; never over an existing file unless asked. The tensors are named teacher.convK.*. */
    public static void write(Path file, Info info, Params teacher, boolean overwrite) throws IOException {
        TeacherZip.write(file, GSON.toJson(info), teacher, overwrite);
    }
}
