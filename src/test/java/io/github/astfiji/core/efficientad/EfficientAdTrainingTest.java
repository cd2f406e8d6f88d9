package io.github.astfiji.core.efficientad;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.score.AnomalyMaps;
import io.github.astfiji.core.score.PositionNormalisation;
import io.github.astfiji.core.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EfficientAD end to end with the built-in teacher on an aligned object (four bright
 * discs at fixed places on a noisy background). Its logical defects, a disc missing or a
 * disc moved to where none belongs, look normal patch by patch: the combined map (with
 * the autoencoder) must find them, and the student-teacher map alone (patch-only) must do
 * clearly worse. A saved model gives the same maps after loading.
 */
class EfficientAdTrainingTest {

    private static final int SIZE = 96;
    // small discs far apart: in normal images some 33 px patches (the PDN's view) hold one disc and some none,
    // so a missing or moved disc leaves every patch looking normal
    private static final int[][] DISCS = {{20, 20}, {76, 20}, {20, 76}, {76, 76}};

    /** The object: discs at the given centres (radius 6) on fine noise. */
    static FloatImage object(SplittableRandom rng, int[][] discs) {
        float[] d = new float[3 * SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                float v = 60f + (float) (rng.nextGaussian() * 12);
                for (int[] c : discs) {
                    double r = Math.hypot(x - c[0], y - c[1]);
                    if (r < 6) {
                        v = 200f + (float) (rng.nextGaussian() * 12);
                    }
                }
                for (int ch = 0; ch < 3; ch++) {
                    d[ch * SIZE * SIZE + y * SIZE + x] = Math.max(0, Math.min(255, v * (1f - 0.1f * ch)));
                }
            }
        }
        return new FloatImage(SIZE, SIZE, 3, 24, d);
    }

    private static int[][] jittered(SplittableRandom rng, int[][] discs) {
        int[][] out = new int[discs.length][];
        for (int i = 0; i < discs.length; i++) {
            out[i] = new int[] {discs[i][0] + rng.nextInt(3) - 1, discs[i][1] + rng.nextInt(3) - 1};
        }
        return out;
    }

    @Test
    void autoencoderFindsMissingAndMovedPartsThatPatchesCannotSee(@TempDir Path dir) throws Exception {
        SplittableRandom rng = new SplittableRandom(42);
        List<ImageSource> train = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            train.add(ImageSource.of("good" + i, object(rng, jittered(rng, DISCS))));
        }
        List<FloatImage> test = new ArrayList<>();
        List<Boolean> defect = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            test.add(object(rng, jittered(rng, DISCS)));
            defect.add(false);
        }
        for (int i = 0; i < 8; i++) {
            int[][] discs = jittered(rng, DISCS);
            int[][] changed;
            if (i % 2 == 0) { // one disc missing
                changed = new int[3][];
                for (int k = 0, j = 0; k < 4; k++) {
                    if (k != i / 2) {
                        changed[j++] = discs[k];
                    }
                }
            } else { // one disc moved to the middle, where there never is one
                changed = discs.clone();
                changed[i / 2] = new int[] {48, 48};
            }
            test.add(object(rng, changed));
            defect.add(true);
        }
        EfficientAdConfig c = (EfficientAdConfig) Methods.EFFICIENTAD.preset("cpu");
        c.imageSize = SIZE;
        c.steps = 600;
        try (NDManager root = Engines.newManager()) {
            Trainer trainer = new Trainer(Methods.EFFICIENTAD, c, Progress.NONE);
            try (Detector model = trainer.train(train, BackboneSetup.create(null, Methods.EFFICIENTAD.defaultBackbone(), root, SIZE, 0), root)) {
                double[] loss = trainer.history().loss("student and autoencoder");
                assertTrue(loss[loss.length - 1] < 0.5 * loss[0], "loss must at least halve: " + loss[0] + " -> " + loss[loss.length - 1]);
                float[] combined = new float[test.size()];
                float[] patchOnly = new float[test.size()];
                float[] patchOnlyPerPosition = new float[test.size()];
                boolean[] truth = new boolean[test.size()];
                // the paper's comparison is between the networks' own maps: without the per-position statistics
                PositionNormalisation positions = model.positionNormalisation();
                model.setPositionNormalisation(null);
                for (int i = 0; i < test.size(); i++) {
                    AnomalyMaps maps = model.score(test.get(i), null);
                    combined[i] = maps.get(0).maxScore;
                    patchOnly[i] = maps.get(1).maxScore;
                    truth[i] = defect.get(i);
                }
                model.setPositionNormalisation(positions);
                for (int i = 0; i < test.size(); i++) {
                    patchOnlyPerPosition[i] = model.score(test.get(i), null).get(1).maxScore;
                }
                double perPosition = Auroc.of(patchOnlyPerPosition, truth);
                double withAe = Auroc.of(combined, truth);
                double withoutAe = Auroc.of(patchOnly, truth);
                System.out.printf("EfficientAdTrainingTest: logical defects, image AUROC %.3f with the autoencoder, %.3f patch-only%n",
                        withAe, withoutAe);
                assertTrue(withAe >= 0.9, "the autoencoder map must find misplaced and missing parts: AUROC " + withAe);
                assertTrue(withAe >= withoutAe + 0.1, "patch-only scoring must do clearly worse: " + withoutAe + " vs " + withAe);
                // on an aligned object, scores standardised per position know where nothing belongs: a disc in the
                // middle is unusual for its cells even when the patch itself looks normal
                System.out.printf("EfficientAdTrainingTest: patch-only standardised per position, image AUROC %.3f%n", perPosition);
                assertTrue(perPosition >= withoutAe + 0.1, "per-position statistics must help the patch-only map on an aligned object: "
                        + perPosition + " vs " + withoutAe);

                Path f = dir.resolve("efficientad.ast");
                ModelFile.write(model, f, false);
                try (Detector back = ModelFile.read(f, root, null)) {
                    assertEquals("efficientad", back.method().id());
                    assertEquals(model.stats().imageThreshold, back.stats().imageThreshold, 0f);
                    assertArrayEquals(model.score(test.get(9), null).primary().grid, back.score(test.get(9), null).primary().grid, 0f,
                            "a reloaded model gives the same map");
                }
            }
        }
    }

    @Test
    void refusesDepthBackbonesAndAMismatchedTeacher() throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        List<ImageSource> train = List.of(ImageSource.of("a", object(rng, DISCS)), ImageSource.of("b", object(rng, DISCS)));
        try (NDManager root = Engines.newManager()) {
            EfficientAdConfig depth = (EfficientAdConfig) Methods.EFFICIENTAD.preset("cpu");
            depth.input = io.github.astfiji.core.image.InputMode.RGB_DEPTH;
            Exception e = assertThrows(IllegalArgumentException.class, () -> new Trainer(Methods.EFFICIENTAD, depth, Progress.NONE)
                    .train(train, BackboneSetup.create(null, Methods.EFFICIENTAD.defaultBackbone(), root, 128, 0), root));
            assertTrue(e.getMessage().contains("AST"), e.getMessage());
            EfficientAdConfig backbone = (EfficientAdConfig) Methods.EFFICIENTAD.preset("cpu");
            e = assertThrows(IllegalArgumentException.class, () -> new Trainer(Methods.EFFICIENTAD, backbone, Progress.NONE)
                    .train(train, BackboneSetup.create("builtin:filter-bank", root, 128, 0), root));
            assertTrue(e.getMessage().contains("leave the backbone out"), e.getMessage());
            EfficientAdConfig medium = (EfficientAdConfig) Methods.EFFICIENTAD.preset("cpu");
            medium.modelSize = "medium";
            e = assertThrows(IllegalArgumentException.class, () -> new Trainer(Methods.EFFICIENTAD, medium, Progress.NONE)
                    .train(train, BackboneSetup.create(null, Methods.EFFICIENTAD.defaultBackbone(), root, 128, 0), root));
            assertTrue(e.getMessage().contains("make-pdn-teacher --size medium"), e.getMessage());
            EfficientAdConfig odd = (EfficientAdConfig) Methods.EFFICIENTAD.preset("cpu");
            odd.imageSize = 100;
            e = assertThrows(IllegalArgumentException.class, () -> new Trainer(Methods.EFFICIENTAD, odd, Progress.NONE));
            assertTrue(e.getMessage().contains("multiple of 32"), e.getMessage());
            assertEquals(0, root.getManagedArrays().size(), "a refused training releases everything");
        }
    }
}
