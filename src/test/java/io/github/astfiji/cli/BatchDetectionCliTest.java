package io.github.astfiji.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.github.astfiji.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches as they come: bad files are reported and skipped while every other image is
 * scored (exit code 2), a stopped batch resumes, shards split a folder, and every message
 * is the project's own.
 */
class BatchDetectionCliTest {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void train() {
        model = dir.resolve("m.ast");
        CliTest.Run r = cli("train", "--images", "test-images/train/good", "--model", model.toString(), "--epochs", "2", "--image-size", "64");
        assertEquals(0, r.code(), r.out());
    }

    /** A folder with the 10 normal test images plus a corrupt, a truncated and a text file under image names. */
    static Path messyFolder(Path where) throws Exception {
        Path in = Files.createDirectories(where);
        try (Stream<Path> s = Files.list(Path.of("test-images/test/good"))) {
            for (Path p : s.sorted().toList()) {
                Files.copy(p, in.resolve(p.getFileName()));
            }
        }
        Files.write(in.resolve("corrupt.png"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        byte[] good = Files.readAllBytes(Path.of("test-images/test/good/000.png"));
        Files.write(in.resolve("truncated.png"), java.util.Arrays.copyOf(good, 100));
        Files.writeString(in.resolve("notes.tif"), "this is text, not a TIFF");
        return in;
    }

    @Test
    void badFilesAreReportedAndTheRestIsScored() throws Exception {
        Path in = messyFolder(dir.resolve("messy"));
        Path out = dir.resolve("messy-out");
        CliTest.Run r = cli("detect", "--model", model.toString(), "--images", in.toString(), "--out", out.toString());
        assertEquals(2, r.code(), "finished with errors:\n" + r.out());
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        assertEquals(1 + 13, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).endsWith(",regions,region_area_px,error"), csv.get(0));
        List<String> errors = csv.stream().filter(l -> l.contains(",error,")).toList();
        assertEquals(3, errors.size(), String.join("\n", csv));
        assertTrue(errors.stream().anyMatch(l -> l.startsWith("corrupt.png") && l.contains("is not a PNG, TIFF")), errors.toString());
        assertTrue(errors.stream().anyMatch(l -> l.startsWith("truncated.png") && l.contains("damaged")), errors.toString());
        assertTrue(errors.stream().anyMatch(l -> l.startsWith("notes.tif")), errors.toString());
        for (int i = 0; i < 10; i++) {
            assertTrue(Files.size(out.resolve(String.format("%03d_heatmap.tif", i))) > 0, "image " + i + " was scored");
        }
        assertTrue(r.out().contains("10 images scored") && r.out().contains("3 could not be scored"), r.out());
        assertTrue(r.out().contains("Skipped " + in.resolve("corrupt.png")), r.out());
        // no library's own words reach the user
        for (String raw : List.of("Unsupported format", "File saving error", "IIOException", "javax.imageio", "Exception")) {
            assertFalse(r.out().contains(raw), "raw message '" + raw + "' in:\n" + r.out());
        }
    }

    @Test
    void aStoppedBatchResumesWithoutRedoingImages() throws Exception {
        Path out = dir.resolve("resume-out");
        CliTest.Run first = cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", out.toString());
        assertEquals(0, first.code(), first.out());
        List<String> full = Files.readAllLines(out.resolve("scores.csv"));
        // as if the run had stopped after 10 images
        Files.write(out.resolve("scores.csv"), full.subList(0, 11));
        Path marker = out.resolve("good_000_heatmap.tif");
        long before = Files.getLastModifiedTime(marker).toMillis();
        Thread.sleep(20);
        CliTest.Run again = cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", out.toString(), "--resume");
        assertEquals(0, again.code(), again.out());
        assertTrue(again.out().contains("15 images scored, 10 done by an earlier run"), again.out());
        List<String> resumed = Files.readAllLines(out.resolve("scores.csv"));
        assertEquals(full.size(), resumed.size());
        assertEquals(new HashSet<>(full), new HashSet<>(resumed), "the same rows as an uninterrupted run");
        assertEquals(before, Files.getLastModifiedTime(marker).toMillis(), "finished images are not redone");
        // without --resume the existing table is protected, and the message says how to go on
        CliTest.Run refused = cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", out.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.out().contains("--resume") && refused.out().contains("--overwrite"), refused.out());
    }

    @Test
    void shardsSplitAFolderIntoDisjointShares() throws Exception {
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (int k = 1; k <= 3; k++) {
            Path out = dir.resolve("shard" + k);
            CliTest.Run r = cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", out.toString(),
                    "--shard", k + "/3");
            assertEquals(0, r.code(), r.out());
            List<String> rows = Files.readAllLines(out.resolve("scores.csv")).subList(1, Files.readAllLines(out.resolve("scores.csv")).size());
            total += rows.size();
            seen.addAll(rows.stream().map(l -> l.split(",")[0]).collect(Collectors.toSet()));
        }
        assertEquals(25, total, "every image in exactly one share");
        assertEquals(25, seen.size());
        CliTest.Run bad = cli("detect", "--model", model.toString(), "--images", "test-images/test", "--out", dir.resolve("s").toString(),
                "--shard", "4/3");
        assertEquals(1, bad.code());
        assertTrue(bad.out().contains("K/N") && bad.out().contains("3/10"), bad.out());
    }

    @Test
    void messagesNameTheProblemAndModelFilesGetNormalPermissions() throws Exception {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(model);
        assertTrue(perms.contains(PosixFilePermission.GROUP_READ) && perms.contains(PosixFilePermission.OTHERS_READ),
                "a model file is readable like any file the user writes (umask), not owner-only: " + perms);
        // --depth for a model that uses no depth
        CliTest.Run depth = cli("detect", "--model", model.toString(), "--images", "test-images/test/good", "--out",
                dir.resolve("d").toString(), "--depth", "test-images/test/good");
        assertEquals(1, depth.code());
        assertTrue(depth.out().contains("does not use depth") && depth.out().contains("leave --depth out"), depth.out());
        // an existing model file: the message is about the file, not an output folder
        CliTest.Run exists = cli("train", "--images", "test-images/train/good", "--model", model.toString(), "--epochs", "1");
        assertEquals(1, exists.code());
        assertTrue(exists.out().contains(model.toString()) && exists.out().contains("--overwrite")
                && !exists.out().contains("output folder"), exists.out());
        // a model folder that does not exist
        CliTest.Run noDir = cli("train", "--images", "test-images/train/good", "--model", dir.resolve("nowhere/m.ast").toString(), "--epochs", "1");
        assertEquals(1, noDir.code());
        assertTrue(noDir.out().contains(dir.resolve("nowhere").toString()) && noDir.out().contains("create it first"), noDir.out());
        // a one-pixel image is refused with the minimum size, the rest of the batch scored
        Path tiny = Files.createDirectories(dir.resolve("tiny"));
        ij.ImagePlus one = new ij.ImagePlus("one", new ij.process.ByteProcessor(1, 1));
        io.github.astfiji.io.ImageFiles.savePng(one, tiny.resolve("one.png"));
        Files.copy(Path.of("test-images/test/good/000.png"), tiny.resolve("ok.png"));
        CliTest.Run small = cli("detect", "--model", model.toString(), "--images", tiny.toString(), "--out", dir.resolve("tiny-out").toString());
        assertEquals(2, small.code(), small.out());
        String row = Files.readAllLines(dir.resolve("tiny-out/scores.csv")).stream().filter(l -> l.startsWith("one.png")).findFirst().orElseThrow();
        assertTrue(row.contains("1x1") && row.contains("16x16"), row);
        // images unlike the training images: one warning for the batch
        Path big = Files.createDirectories(dir.resolve("big"));
        for (int i = 0; i < 3; i++) {
            ij.ImagePlus wide = new ij.ImagePlus("w", io.github.astfiji.io.ImageFiles.open(Path.of("test-images/test/good/00" + i + ".png"))
                    .getProcessor().resize(512, 128));
            io.github.astfiji.io.ImageFiles.savePng(wide, big.resolve("w" + i + ".png"));
        }
        CliTest.Run warn = cli("detect", "--model", model.toString(), "--images", big.toString(), "--out", dir.resolve("big-out").toString());
        assertEquals(0, warn.code(), warn.out());
        assertEquals(1, warn.out().split("was trained on images of about 128x128", -1).length - 1, warn.out());
    }
}
