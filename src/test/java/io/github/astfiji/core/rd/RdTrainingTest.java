package io.github.astfiji.core.rd;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.model.ModelFile;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.score.AnomalyMap;
import io.github.astfiji.core.train.Trainer;
import io.github.astfiji.io.SampleDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reverse Distillation end to end on the bundled sample set with the CPU preset and the
 * built-in filter pyramid: the loss falls, the defects are found and localised (and an
 * untrained decoder, the negative control, does clearly worse), and a saved model gives
 * the same maps after loading.
 */
class RdTrainingTest {

    @Test
    void cpuPresetLearnsTheBundledSamples(@TempDir Path dir) throws Exception {
        SampleDataset ds = SampleDataset.open(Path.of("test-images"));
        RdConfig config = (RdConfig) Methods.RD.preset("cpu");
        config.calibrationFolds = 0; // thresholds are not what this test is about
        try (NDManager root = Engines.newManager()) {
            Trainer trainer = new Trainer(Methods.RD, config, Progress.NONE);
            try (Detector model = trainer.train(ds.train, BackboneSetup.create(null, Methods.RD.defaultBackbone(), root, config.imageSize, 0), root)) {
                double[] loss = trainer.history().loss("bottleneck and decoder");
                assertTrue(loss[loss.length - 1] < 0.5 * loss[0], "loss must at least halve: " + loss[0] + " -> " + loss[loss.length - 1]);

                Evaluation.Row row = Evaluation.evaluate("bricks", model, ds.test, ds.testIsDefect, ds.masks(), Progress.NONE).get(0);
                System.out.printf("RdTrainingTest: image AUROC %.3f (max), pixel AUROC %.3f, AUPRO %.3f%n",
                        row.imageAurocMax, row.pixelAuroc, row.aupro);
                assertEquals("RD", row.method);
                assertTrue(row.imageAurocMax >= 0.90, "image AUROC (max) " + row.imageAurocMax);
                assertTrue(row.pixelAuroc >= 0.90, "pixel AUROC " + row.pixelAuroc);

                Path f = dir.resolve("rd.ast");
                ModelFile.write(model, f, false);
                try (Detector back = ModelFile.read(f, root, null)) {
                    assertEquals("rd", back.method().id());
                    assertEquals(config.decoderBlocks.length, ((RdConfig) back.config()).decoderBlocks.length);
                    assertEquals(model.stats().imageThreshold, back.stats().imageThreshold, 0f);
                    for (int i = 0; i < ds.test.size(); i += 6) {
                        FloatImage im = ds.test.get(i).load();
                        AnomalyMap a = model.score(im, null).primary();
                        AnomalyMap b = back.score(im, null).primary();
                        assertArrayEquals(a.grid, b.grid, 0f, "reloaded model, image " + ds.test.get(i).name());
                        assertEquals(config.imageSize, a.gridWidth, "RD maps come at the network input's size");
                    }
                }

                // negative control: the same pipeline with an untrained decoder localises far worse
                RdConfig untrained = config.copy();
                untrained.epochs = 0;
                try (Detector raw = new Trainer(Methods.RD, untrained, Progress.NONE)
                        .train(ds.train, BackboneSetup.create(null, Methods.RD.defaultBackbone(), root, config.imageSize, 0), root)) {
                    List<Evaluation.Row> r0 = Evaluation.evaluate("bricks", raw, ds.test, ds.testIsDefect, ds.masks(), Progress.NONE);
                    System.out.printf("RdTrainingTest: untrained decoder: image AUROC %.3f, pixel AUROC %.3f%n",
                            r0.get(0).imageAurocMax, r0.get(0).pixelAuroc);
                    assertTrue(r0.get(0).pixelAuroc < row.pixelAuroc - 0.1, "training must matter: untrained pixel AUROC "
                            + r0.get(0).pixelAuroc + " vs trained " + row.pixelAuroc);
                }
            }
        }
    }

    @Test
    void multiScaleTorchScriptEncoderWorksAndIsCheckedOnLoad(@TempDir Path dir) throws Exception {
        // tiny_pyramid.pt (scripts/fixtures/make_rd_fixture.py) returns a tuple of 3 maps, like a wide_resnet50_2 export
        Path bb = dir.resolve("tiny_pyramid.pt");
        java.nio.file.Files.copy(io.github.astfiji.core.TestData.fixture("tiny_pyramid.pt"), bb);
        RdConfig c = (RdConfig) Methods.config(Methods.RD, "cpu", 2, 64);
        try (NDManager root = Engines.newManager()) {
            Path f = dir.resolve("ts-rd.ast");
            try (Detector m = new Trainer(Methods.RD, c, Progress.NONE).train(io.github.astfiji.core.TestData.trainImages(8),
                    BackboneSetup.create(bb.toString(), root, 64, 0), root)) {
                assertArrayEquals(new int[] {8, 12, 16}, m.inputChannels());
                assertArrayEquals(new int[] {4, 8, 16}, m.backbone().scaleStrides());
                ModelFile.write(m, f, false);
                FloatImage im = io.github.astfiji.core.TestData.trainImages(1).get(0).load();
                try (Detector back = ModelFile.read(f, root, null)) {
                    assertArrayEquals(m.score(im, null).primary().grid, back.score(im, null).primary().grid, 0f);
                }
            }
            // the single-map tiny backbone in its place is refused by checksum, not run with the wrong shapes
            java.nio.file.Files.copy(io.github.astfiji.core.TestData.fixture("tiny_backbone.pt"), bb,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> ModelFile.read(f, root, null));
            assertTrue(e.getMessage().contains("not the one"), e.getMessage());
        }
    }

    @Test
    void rdRefusesDepthAndSingleScaleBackbones() throws Exception {
        SampleDataset ds = SampleDataset.open(Path.of("test-images"));
        try (NDManager root = Engines.newManager()) {
            RdConfig c = (RdConfig) Methods.RD.preset("cpu");
            c.input = io.github.astfiji.core.image.InputMode.RGB_DEPTH;
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(Methods.RD, c, Progress.NONE).train(ds.train, BackboneSetup.create(null, Methods.RD.defaultBackbone(),
                            root, 192, 0), root));
            assertTrue(e.getMessage().contains("AST"), e.getMessage());
            RdConfig rgb = (RdConfig) Methods.RD.preset("cpu");
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(Methods.RD, rgb, Progress.NONE).train(ds.train, BackboneSetup.create("builtin:filter-bank", root, 192, 0), root));
            assertTrue(e.getMessage().contains("three feature scales") && e.getMessage().contains("builtin:filter-pyramid"), e.getMessage());
            assertEquals(0, root.getManagedArrays().size(), "a refused training releases everything");
        }
    }
}
