package io.github.astfiji.core.storage;

import io.github.astfiji.core.nn.Params;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The file of a pretrained teacher (Uninformed Students' patch teachers, EfficientAD's
 * PDN): a small zip with teacher.json (shape and provenance) and weights.bin (tensors in
 * {@link Params#write}'s layout). Written atomically; read with messages that name the
 * file and the command that makes one.
 */
public final class TeacherZip {

    /** What a teacher file holds: its JSON description, its SHA-256 and its tensors by name. */
    public static final class Contents {
        public final String json;
        public final String sha256;
        public final Map<String, float[]> tensors;

        Contents(String json, String sha256, Map<String, float[]> tensors) {
            this.json = json;
            this.sha256 = sha256;
            this.tensors = tensors;
        }
    }

    private TeacherZip() {
    }

    /** Reads a teacher file's bytes; where names it in messages, makeWith the command that makes one. */
    public static Contents read(byte[] zip, String where, String makeWith) throws IOException {
        String json = null;
        byte[] weights = null;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals("teacher.json")) {
                    json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } else if (e.getName().equals("weights.bin")) {
                    weights = in.readAllBytes();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(where + " is not a teacher file (" + e.getMessage() + "); make one with " + makeWith, e);
        }
        if (json == null || weights == null) {
            throw new ModelFormatException(where + " is not a teacher file written by " + makeWith + " (no teacher.json/weights.bin)");
        }
        return new Contents(json, Checksums.sha256(zip), readTensors(weights, where));
    }

    /** Writes a teacher file atomically (temporary file, then moved into place); never over an existing file unless asked. */
    public static void write(Path file, String json, Params tensors, boolean overwrite) throws IOException {
        AtomicFiles.checkTarget(file, overwrite, "teacher.zip");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(bytes)) {
            tensors.write(d);
        }
        Path tmp = AtomicFiles.newPartFile(file);
        try {
            try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry("teacher.json"));
                zip.write(json.getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("weights.bin"));
                zip.write(bytes.toByteArray());
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
