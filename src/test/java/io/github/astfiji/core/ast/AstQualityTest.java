package io.github.astfiji.core.ast;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.Engines;
import io.github.astfiji.core.Progress;
import io.github.astfiji.core.ScoreResult;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.detector.Methods;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.core.eval.Auroc;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.io.SampleDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on the bundled sample set (normal brick crops; scratches, spots and
 * missing pieces): the CPU preset with the built-in backbone must separate them.
 */
class AstQualityTest {

    @Test
    void cpuPresetDetectsTheBundledDefects(@TempDir Path dir) throws Exception {
        SampleDataset ds = SampleDataset.open(Path.of("test-images"));
        AstConfig config = Preset.CPU.config();
        try (NDManager root = Engines.newManager()) {
            Trainer trainer = new Trainer(Methods.AST, config, Progress.NONE);
            try (Detector model = trainer.train(ds.train, Backbones.create(null, root, config.imageSize, 0), root)) {
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
                    ScoreResult r = model.score(ds.test.get(i).load(), null).primary();
                    scores[i] = r.score;
                    means[i] = r.meanScore;
                }
                // the CPU preset scores an image by the max of its map (BENCHMARKS.md: max beat mean on the photo texture sets)
                assertEquals(io.github.astfiji.core.ImageScore.MAX, config.imageScore);
                double auroc = Auroc.of(scores, ds.testIsDefect);
                System.out.printf("AstQualityTest: image AUROC %.3f (max score; mean score %.3f) on %d test images%n", auroc,
                        Auroc.of(means, ds.testIsDefect), scores.length);
                assertTrue(auroc >= 0.95, "image AUROC " + auroc);

                Path f = dir.resolve("m.ast");
                ModelFile.write(model, f, false);
                try (Detector back = ModelFile.read(f, root, null)) {
                    for (int i = 0; i < scores.length; i++) {
                        ScoreResult r = back.score(ds.test.get(i).load(), null).primary();
                        assertEquals(scores[i], r.score, 0f, "reloaded model, image " + ds.test.get(i).name());
                    }
                }
            }
        }
    }
}
