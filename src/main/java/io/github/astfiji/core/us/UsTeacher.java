package io.github.astfiji.core.us;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.astfiji.core.storage.ModelFormatException;
import io.github.astfiji.core.storage.TeacherZip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pretrained Uninformed-Students teachers, one per patch size: a {@link TeacherZip}
 * with tensors named teacher.P.convK.*. The built-in one ships inside the plugin (made by make-us-teacher from
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
        TeacherZip.Contents c = TeacherZip.read(zip, where, "make-us-teacher");
        Info info;
        try {
            info = GSON.fromJson(c.json, Info.class);
        } catch (RuntimeException e) {
            throw new ModelFormatException(where + " has a damaged teacher.json (" + e.getMessage() + "); make it again with make-us-teacher", e);
        }
        if (info == null || !"ast-fiji-us-teacher".equals(info.format)) {
            throw new ModelFormatException(where + " is not an Uninformed Students teacher file written by make-us-teacher");
        }
        if (info.formatVersion > 1) {
            throw new ModelFormatException(where + " was written by a newer version (teacher format " + info.formatVersion + "); update the plugin");
        }
        return new UsTeacher(info, c.sha256, c.tensors);
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
        TeacherZip.write(file, GSON.toJson(info), teachers, overwrite);
    }

}
