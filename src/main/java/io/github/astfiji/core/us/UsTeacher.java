package io.github.astfiji.core.us;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.astfiji.core.storage.AtomicFiles;
import io.github.astfiji.core.storage.Checksums;
import io.github.astfiji.core.storage.ModelFormatException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Pretrained Uninformed-Students teachers, one per patch size: a small zip with
 * teacher.json (shape and provenance) and weights.bin (tensors named teacher.P.convK.*,
 * Params' layout). The built-in one ships inside the plugin (made by make-us-teacher from
 * freely licensed images; README says how); others are files a user made the same way.
 */
public final class UsTeacher {

    public static final String BUILTIN = "builtin";
    static final String RESOURCE = "/io/github/astfiji/core/us/builtin-teacher.zip";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** What teacher.json holds. */
    public static final class Info {
        public String format = "ast-fiji-us-teacher";
        public int formatVersion = 1;
        public int[] patchSizes;
        public float widthFactor;
        public int descriptorDim;
        /** How it was made: target network, images, steps, losses. */
        public String provenance = "";
    }

    public final Info info;
    public final String sha256;
    private final Map<String, float[]> weights;

    private UsTeacher(Info info, String sha256, Map<String, float[]> weights) {
        this.info = info;
        this.sha256 = sha256;
        this.weights = weights;
    }

    /** The built-in teacher or a teacher file; problems name the file and what to do. */
    public static UsTeacher load(String spec) throws IOException {
        if (spec == null || spec.isBlank() || spec.equals(BUILTIN)) {
            try (InputStream in = UsTeacher.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("the built-in Uninformed Students teacher is missing from this build; rebuild the plugin, "
                            + "or make one with make-us-teacher and give it as the teacher");
                }
                return read(in.readAllBytes(), "the built-in teacher");
            }
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "teacher file not found; make one with make-us-teacher, "
                    + "or leave the teacher setting out to use the built-in one");
        }
        return read(Files.readAllBytes(file), file.toString());
    }

    private static UsTeacher read(byte[] zip, String where) throws IOException {
        Info info = null;
        byte[] params = null;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals("teacher.json")) {
                    info = GSON.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), Info.class);
                } else if (e.getName().equals("weights.bin")) {
                    params = in.readAllBytes();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(where + " is not a teacher file (" + e.getMessage() + "); make one with make-us-teacher", e);
        }
        if (info == null || params == null || !"ast-fiji-us-teacher".equals(info.format)) {
            throw new ModelFormatException(where + " is not a teacher file written by make-us-teacher (no teacher.json/weights.bin)");
        }
        if (info.formatVersion > 1) {
            throw new ModelFormatException(where + " was written by a newer version (teacher format " + info.formatVersion + "); update the plugin");
        }
        return new UsTeacher(info, Checksums.sha256(zip), readTensors(params, where));
    }

    /** The weights of the teacher for one patch size, by parameter name. */
    public Map<String, float[]> weights(int patchSize) {
        Map<String, float[]> out = new LinkedHashMap<>();
        weights.forEach((k, v) -> {
            if (k.startsWith("teacher." + patchSize + ".")) {
                out.put(k, v);
            }
        });
        return out;
    }

    public boolean has(int patchSize) {
        for (int p : info.patchSizes) {
            if (p == patchSize) {
                return true;
            }
        }
        return false;
    }

    /** Writes a teacher file atomically (temporary file, then moved into place); never over an existing file unless asked. */
    public static void write(Path file, Info info, io.github.astfiji.core.nn.Params teachers, boolean overwrite) throws IOException {
        AtomicFiles.checkTarget(file, overwrite, "teacher.zip");
        ByteArrayOutputStream tensors = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(tensors)) {
            teachers.write(d);
        }
        Path tmp = AtomicFiles.newPartFile(file);
        try {
            try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry("teacher.json"));
                zip.write(GSON.toJson(info).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("weights.bin"));
                zip.write(tensors.toByteArray());
                zip.closeEntry();
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Map<String, float[]> readTensors(byte[] data, String where) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int n = in.readInt();
            if (n < 0 || n > 10_000) {
                throw new IOException("damaged tensor table");
            }
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                in.readBoolean();
                int rank = in.readInt();
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    size *= in.readLong();
                }
                if (rank < 0 || rank > 8 || size < 0 || size > Integer.MAX_VALUE) {
                    throw new IOException("damaged tensor " + name);
                }
                float[] v = new float[(int) size];
                for (int k = 0; k < v.length; k++) {
                    v[k] = in.readFloat();
                }
                out.put(name, v);
            }
        } catch (IOException e) {
            throw new ModelFormatException(where + " is damaged (" + e.getMessage() + "); make the teacher again", e);
        }
        return out;
    }

}
