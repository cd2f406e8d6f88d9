package io.github.astfiji.core.model;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.method.MethodNetwork;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.score.PositionNormalisation;
import io.github.astfiji.core.score.ScoreStats;
import io.github.astfiji.core.storage.AtomicFiles;
import io.github.astfiji.core.storage.Checksums;
import io.github.astfiji.core.storage.ModelFormatException;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The model file, for every method: one zip holding a manifest (format name and version,
 * method, backbone identity and checksum, input channels, parameter checksums), the
 * method's configuration, the preprocessing, normal-image score statistics and all
 * parameters. Reading dispatches on the manifest's method. Written to a temporary
 * file in the target folder and moved into place atomically; read with validation.
 */
public final class ModelFile {

    public static final String FORMAT = "ast-fiji-model";
    /**
     * 2: maps standardised per position (positions.json), which a reader of format 1 would
     * ignore and misjudge. 3: a backbone that format 2's readers do not know (the filter bank
     * with sharpness channels), so they say "update" instead of naming an unknown backbone.
     * 4: the per-channel sharpness backbone or the top-5 % image score, which format 3's
     * readers do not know.
     */
    public static final int FORMAT_VERSION = 4;
    /** Built-in backbones that came with format 3. */
    private static final java.util.Set<String> FORMAT_3_BACKBONES = java.util.Set.of(
            io.github.astfiji.core.backbone.FilterBankBackbone.SHARPNESS_ID);
    public static final String EXTENSION = ".ast";
    private static final String POSITIONS = "positions.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private ModelFile() {
    }

    /** The oldest format that reads this model: older versions of the plugin keep reading what they would judge right. */
    static int formatVersionFor(Detector model) {
        if (model.backbone().id().equals(io.github.astfiji.core.backbone.FilterBankBackbone.CHANNEL_SHARPNESS_ID)
                || model.config().imageScore == io.github.astfiji.core.score.ImageScoreRule.TOP) {
            return 4;
        }
        if (FORMAT_3_BACKBONES.contains(model.backbone().id())) {
            return 3;
        }
        return model.positionNormalisation() != null ? 2 : 1;
    }

    /** Saves atomically. Refuses to replace an existing file unless overwrite is true. */
    public static void write(Detector model, Path target, boolean overwrite) throws IOException {
        checkTarget(target, overwrite);
        for (String map : model.method().mapNames()) {
            String problem = model.stats(map) == null ? "it has no score statistics" : model.stats(map).problem();
            if (problem != null) {
                throw new io.github.astfiji.core.train.TrainingFailedException("Refusing to write " + target.getFileName() + ": in the "
                        + map + " map " + problem + "; a model that cannot judge images would pass defects. Train it again.");
            }
        }
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Params bbState = model.backbone().state();

        JsonObject manifest = new JsonObject();
        manifest.addProperty("format", FORMAT);
        manifest.addProperty("formatVersion", formatVersionFor(model));
        manifest.addProperty("method", model.method().id());
        manifest.addProperty("software", softwareVersion());
        manifest.addProperty("created", java.time.Instant.now().toString());
        int[] channels = model.inputChannels();
        manifest.addProperty("featureChannels", channels[channels.length - 1]);
        JsonArray perScale = new JsonArray();
        for (int c : channels) {
            perScale.add(c);
        }
        manifest.add("inputChannels", perScale);
        JsonObject bb = new JsonObject();
        bb.addProperty("id", model.backbone().id());
        bb.addProperty("checksum", model.backbone().checksum());
        bb.addProperty("channels", model.backbone().channels());
        bb.addProperty("stride", model.backbone().stride());
        if (model.backbone().file() != null) {
            bb.addProperty("file", model.backbone().file().toAbsolutePath().toString());
        }
        manifest.add("backbone", bb);
        JsonObject stats = new JsonObject();
        for (String map : model.method().mapNames()) {
            if (model.stats(map) != null) {
                stats.add(map, GSON.toJsonTree(model.stats(map)));
            }
        }

        Path tmp = AtomicFiles.newPartFile(abs);
        try {
            try (OutputStream fileOut = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING);
                 ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(fileOut, 1 << 20))) {
                // tensors first, streamed with their checksums into the manifest that follows
                manifest.addProperty("paramsSha256", putParams(zip, "params.bin", model.network().params()));
                if (bbState != null) {
                    manifest.addProperty("backboneStateSha256", putParams(zip, "backbone.bin", bbState));
                }
                put(zip, "manifest.json", GSON.toJson(manifest).getBytes(StandardCharsets.UTF_8));
                put(zip, "config.json", GSON.toJson(model.config()).getBytes(StandardCharsets.UTF_8));
                put(zip, "preprocessing.json", GSON.toJson(model.preprocessing()).getBytes(StandardCharsets.UTF_8));
                put(zip, "stats.json", GSON.toJson(stats).getBytes(StandardCharsets.UTF_8));
                if (model.positionNormalisation() != null) {
                    put(zip, POSITIONS, new Gson().toJson(model.positionNormalisation()).getBytes(StandardCharsets.UTF_8));
                }
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            if (overwrite) {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Refuses a target that is a folder, that exists (unless overwrite), or whose folder does not exist. */
    public static void checkTarget(Path target, boolean overwrite) throws IOException {
        AtomicFiles.checkTarget(target, overwrite, "model" + EXTENSION);
    }

    /** Reads a model. backboneFile overrides where a TorchScript backbone is looked for (may be null). */
    public static Detector read(Path file, NDManager parent, Path backboneFile) throws IOException {
        return read(file, parent, backboneFile, BackboneSetup.Fetching.standard(io.github.astfiji.core.engine.Progress.NONE, System.err::println));
    }

    /** As above; a pretrained backbone's weights are fetched (when not yet in the weights folder) as {@code fetching} says. */
    public static Detector read(Path file, NDManager parent, Path backboneFile, BackboneSetup.Fetching fetching) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "model file not found; train one first (train --model " + file + ")");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ModelFormatException(file + " is not an AST model file: it is not a zip archive or it is truncated ("
                    + e.getMessage() + "). Use a .ast file written by Train AST, or train the model again.", e);
        }
        try (zip) {
            JsonObject manifest = json(zip, file, "manifest.json", JsonObject.class);
            String format = manifest.has("format") ? manifest.get("format").getAsString() : "";
            if (!FORMAT.equals(format)) {
                throw new ModelFormatException(file + " is a zip archive but not an AST model file (format '" + format
                        + "'). Use a .ast file written by Train AST.");
            }
            int version = manifest.get("formatVersion").getAsInt();
            if (version > FORMAT_VERSION) {
                throw new ModelFormatException(file + " was written by a newer AST for Fiji (model format " + version
                        + "; this version reads up to " + FORMAT_VERSION + "). Update the plugin, or retrain with this version.");
            }
            String methodId = manifest.has("method") ? manifest.get("method").getAsString() : "";
            Method method = Methods.find(methodId);
            if (method == null) {
                throw new ModelFormatException(file + " holds a '" + methodId + "' model, which this version cannot run (it runs "
                        + String.join(", ", Methods.ids()) + "). Update the plugin, or use a model trained with one of those methods.");
            }
            DetectorConfig config = json(zip, file, "config.json", method.configType());
            Preprocessing pre = json(zip, file, "preprocessing.json", Preprocessing.class);
            JsonObject stats = json(zip, file, "stats.json", JsonObject.class);
            try {
                config.validate();
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file + " has an invalid configuration: " + e.getMessage());
            }

            JsonObject bbInfo = manifest.getAsJsonObject("backbone");
            String bbId = bbInfo.get("id").getAsString();
            NDManager manager = parent.newSubManager();
            Backbone backbone = null;
            MethodNetwork network = null;
            try {
                backbone = openBackbone(file, zip, manifest, bbInfo, bbId, manager, config, backboneFile, fetching);
                int[] channels = storedChannels(manifest);
                int[] given = Detector.inputChannels(method, config, backbone);
                if (!java.util.Arrays.equals(channels, given)) {
                    throw new ModelFormatException(file + " needs " + java.util.Arrays.toString(channels) + " input channels but its backbone with "
                            + config.input.label + " input gives " + java.util.Arrays.toString(given)
                            + ". Use the backbone the model was trained with.");
                }
                network = Params.buildForLoading(() -> method.build(manager, config, channels));
                readParams(zip, file, "params.bin", manifest.get("paramsSha256").getAsString(), network.params());
                Detector model = new Detector(method, config, manager, pre, backbone, network);
                for (String map : method.mapNames()) {
                    if (stats.has(map)) {
                        model.setStats(map, GSON.fromJson(stats.get(map), ScoreStats.class));
                    }
                }
                if (zip.getEntry(POSITIONS) != null) {
                    PositionNormalisation positions = json(zip, file, POSITIONS, PositionNormalisation.class);
                    String bad = positions.problem(method.mapNames().size());
                    if (bad != null) {
                        throw new ModelFormatException(file + " is damaged: " + bad + ". Train the model again.");
                    }
                    model.setPositionNormalisation(positions);
                }
                if (model.stats() == null) {
                    throw new ModelFormatException(file + " is damaged: stats.json has no statistics for " + method.mapNames().get(0)
                            + ". Train the model again.");
                }
                String problem = model.stats().problem();
                if (problem != null) {
                    // a model that cannot judge would pass every defect: refused before it scores anything
                    throw new io.github.astfiji.core.train.TrainingFailedException(file.getFileName() + " cannot judge images: "
                            + problem + ". Train the model again.");
                }
                return model;
            } catch (IOException | RuntimeException e) {
                if (network != null) {
                    network.close();
                }
                if (backbone != null) {
                    backbone.close();
                }
                manager.close();
                if (e instanceof IOException && !(e instanceof ModelFormatException) && e.getMessage() != null
                        && e.getMessage().startsWith("parameter")) {
                    throw new ModelFormatException(file + " is damaged or inconsistent: " + e.getMessage(), e);
                }
                throw e;
            }
        }
    }

    /** Input channels per scale; format-1 files of single-scale models give only featureChannels. */
    private static int[] storedChannels(JsonObject manifest) {
        if (manifest.has("inputChannels")) {
            JsonArray a = manifest.getAsJsonArray("inputChannels");
            int[] c = new int[a.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = a.get(i).getAsInt();
            }
            return c;
        }
        return new int[] {manifest.get("featureChannels").getAsInt()};
    }

    private static Backbone openBackbone(Path file, ZipFile zip, JsonObject manifest, JsonObject bbInfo, String bbId,
                                         NDManager manager, DetectorConfig config, Path override,
                                         BackboneSetup.Fetching fetching) throws IOException {
        String expected = bbInfo.get("checksum").getAsString();
        if (!bbId.startsWith("builtin:")) {
            Path recorded = bbInfo.has("file") ? Path.of(bbInfo.get("file").getAsString()) : null;
            try {
                return BackboneSetup.reopen(bbId, expected, recorded, file, override, manager, config.imageSize, fetching);
            } catch (io.github.astfiji.core.weights.WeightsUnavailableException e) {
                throw e;
            } catch (IOException e) {
                throw new ModelFormatException(e.getMessage(), e);
            }
        }
        Backbone bb;
        try {
            bb = Backbones.builtin(bbId, manager, config.seed);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + " uses the backbone '" + bbId + "', which this version does not have. Update the plugin.");
        }
        if (bb.state() == null) {
            return bb; // nothing learned: nothing stored
        }
        try {
            readParams(zip, file, "backbone.bin", manifest.get("backboneStateSha256").getAsString(), bb.state());
            if (!bb.checksum().equals(expected)) {
                throw new ModelFormatException(file + " is damaged: the backbone state does not match its checksum.");
            }
            return bb;
        } catch (IOException | RuntimeException e) {
            bb.close();
            throw e;
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] entry(ZipFile zip, Path file, String name) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new ModelFormatException(file + " is incomplete: it has no " + name + ". Train the model again.");
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        } catch (ZipException ex) {
            throw new ModelFormatException(file + " is damaged (" + name + ": " + ex.getMessage() + "). Train the model again.", ex);
        }
    }

    private static <T> T json(ZipFile zip, Path file, String name, Class<T> type) throws IOException {
        byte[] data = entry(zip, file, name);
        try {
            T v = GSON.fromJson(new String(data, StandardCharsets.UTF_8), type);
            if (v == null) {
                throw new JsonParseException("empty");
            }
            return v;
        } catch (JsonParseException | IllegalStateException | NullPointerException e) {
            throw new ModelFormatException(file + " is damaged: " + name + " is not valid (" + e.getMessage() + ").", e);
        }
    }

    /**
     * Streams tensors into an entry without compression (weights hardly compress, and
     * deflating hundreds of megabytes took longer than the training's last epochs) and
     * returns their SHA-256.
     */
    private static String putParams(ZipOutputStream zip, String name, Params p) throws IOException {
        zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
        zip.putNextEntry(new ZipEntry(name));
        MessageDigest digest = Checksums.newSha256();
        // flushed, not closed: the zip stays open for the next entry
        DataOutputStream out = new DataOutputStream(new java.security.DigestOutputStream(zip, digest));
        p.write(out);
        out.flush();
        zip.closeEntry();
        zip.setLevel(java.util.zip.Deflater.DEFAULT_COMPRESSION);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Reads tensors from an entry as they stream in (no copy of the whole entry in memory)
     * and checks the entry's SHA-256; a damaged entry is named whether the damage broke the
     * layout or only changed values.
     */
    private static void readParams(ZipFile zip, Path file, String name, String expected, Params into) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new ModelFormatException(file + " is incomplete: it has no " + name + ". Train the model again.");
        }
        MessageDigest digest = Checksums.newSha256();
        try (InputStream raw = zip.getInputStream(e);
             java.security.DigestInputStream in = new java.security.DigestInputStream(new java.io.BufferedInputStream(raw, 1 << 20), digest)) {
            IOException problem = null;
            try {
                into.read(new DataInputStream(in));
            } catch (IOException ex) {
                problem = ex;
            }
            in.transferTo(java.io.OutputStream.nullOutputStream()); // the checksum covers the whole entry
            if (!HexFormat.of().formatHex(digest.digest()).equals(expected)) {
                throw new ModelFormatException(file + " is damaged: " + name + " does not match its checksum. Train the model again.");
            }
            if (problem != null) {
                throw problem;
            }
        } catch (ZipException ex) {
            throw new ModelFormatException(file + " is damaged (" + name + ": " + ex.getMessage() + "). Train the model again.", ex);
        }
    }


    public static String softwareVersion() {
        Package p = ModelFile.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "development" : v;
    }
}
