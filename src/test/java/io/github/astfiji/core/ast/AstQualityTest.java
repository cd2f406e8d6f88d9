package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.score.AnomalyMap;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.io.SampleDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on the bundled sample set (normal brick crops; scratches, spots and
 * missing pieces): the CPU preset with the built-in backbone must separate them, its
 * stored threshold must leave normal images normal and flag the defects, and an untrained
 * model (the negative control) must do clearly worse.
 */
class AstQualityTest {

    @Test
    void cpuPresetDetectsTheBundledDefects(@TempDir Path dir) throws Exception {
        SampleDataset ds = SampleDataset.open(Path.of("test-images"));
        AstConfig config = Preset.CPU.config();
        // the k-fold calibration option, with 3 folds to keep the suite short (the preset holds out 20 %)
        assertEquals(0, config.calibrationFolds);
        config.calibrationFolds = 3;
        try (NDManager root = Engines.newManager()) {
            Trainer trainer = new Trainer(Methods.AST, config, Progress.NONE);
            try (Detector model = trainer.train(ds.train, BackboneSetup.create(null, root, config.imageSize, 0), root)) {
                Trainer.History h = trainer.history();
                double[] teacher = h.loss("teacher (flow)");
                double[] student = h.loss("student");
                double t0 = teacher[0];
                double t1 = teacher[teacher.length - 1];
                double s0 = student[0];
                double s1 = student[student.length - 1];
                assertTrue(t1 < t0 - 10, "teacher NLL must fall: " + t0 + " -> " + t1);
                assertTrue(s1 < 0.5 * s0, "student loss must at least halve: " + s0 + " -> " + s1);

                float[] scores = new float[ds.test.size()];
                float[] means = new float[ds.test.size()];
                for (int i = 0; i < scores.length; i++) {
                    AnomalyMap r = model.score(ds.test.get(i).load(), null).primary();
                    scores[i] = r.score;
                    means[i] = r.meanScore;
                }
                // the CPU preset scores a grey or RGB image by the max of its map (BENCHMARKS.md: max beat mean on the photo
                // texture sets), settled when training saw the images
                assertEquals(io.github.astfiji.core.score.ImageScoreRule.MAX, config.imageScore);
                double auroc = Auroc.of(scores, ds.testIsDefect);
                System.out.printf("AstQualityTest: image AUROC %.3f (max score; mean score %.3f) on %d test images%n", auroc,
                        Auroc.of(means, ds.testIsDefect), scores.length);
                assertTrue(auroc >= 0.95, "image AUROC " + auroc);

                // the operating point the model stores: normal images stay normal, defects are flagged
                int falseAlarms = 0;
                int found = 0;
                int defects = 0;
                for (int i = 0; i < scores.length; i++) {
                    boolean flagged = model.stats().verdict(scores[i]).equals("anomalous");
                    if (ds.testIsDefect[i]) {
                        defects++;
                        found += flagged ? 1 : 0;
                    } else {
                        falseAlarms += flagged ? 1 : 0;
                    }
                }
                System.out.printf("AstQualityTest: %d of %d normal test images flagged, %d of %d defective found; %s%n", falseAlarms,
                        scores.length - defects, found, defects, model.stats().operatingPoint());
                assertEquals("3-fold", model.stats().source, "thresholds from k-fold scoring of all normal images");
                assertTrue(falseAlarms <= 1, falseAlarms + " of 10 normal images flagged");
                assertTrue(found >= 12, "only " + found + " of " + defects + " defective images flagged");

                // negative control: the same pipeline without training (identity flow, random student)
                AstConfig untrained = config.copy();
                untrained.setEpochs(0);
                untrained.calibrationFolds = 0;
                try (Detector raw = new Trainer(Methods.AST, untrained, Progress.NONE)
                        .train(ds.train, BackboneSetup.create(null, root, config.imageSize, 0), root)) {
                    float[] rawScores = new float[scores.length];
                    for (int i = 0; i < scores.length; i++) {
                        rawScores[i] = raw.score(ds.test.get(i).load(), null).primary().score;
                    }
                    double rawAuroc = Auroc.of(rawScores, ds.testIsDefect);
                    System.out.printf("AstQualityTest: untrained model image AUROC %.3f%n", rawAuroc);
                    assertTrue(rawAuroc < auroc - 0.05, "training must matter: untrained " + rawAuroc + " vs " + auroc);
                }

                Path f = dir.resolve("m.ast");
                ModelFile.write(model, f, false);
                try (Detector back = ModelFile.read(f, root, null)) {
                    for (int i = 0; i < scores.length; i++) {
                        AnomalyMap r = back.score(ds.test.get(i).load(), null).primary();
                        assertEquals(scores[i], r.score, 0f, "reloaded model, image " + ds.test.get(i).name());
                    }
                }
            }
        }
    }
}
