package io.github.astfiji.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.Backbones;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.registry.BackboneSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** How fast a backbone turns images into features on this computer (what a training's feature pass and detection pay). */
@Command(name = "time-backbone", mixinStandardHelpOptions = true,
        description = "Time a backbone's feature extraction on seeded random images and print ms per image and its maps.")
final class TimeBackboneCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--backbone", required = true, description = "As for train: efficientnet-b5, NAME=FILE, a TorchScript file, builtin:...")
    String backbone;

    @Option(names = "--size", defaultValue = "384", description = "Image side in pixels (default 384).")
    int size;

    @Option(names = "--images", defaultValue = "12", description = "Images timed (default 12), one at a time, after 2 untimed.")
    int images;

    @Override
    public Integer call() throws Exception {
        engine.apply();
        ConsoleProgress progress = new ConsoleProgress(System.err);
        try (NDManager root = Engines.newManager()) {
            long t0 = System.nanoTime();
            try (Backbone bb = BackboneSetup.create(backbone, Backbones.DEFAULT_BUILTIN, root, size, 0, engine.fetching(progress))) {
                double load = (System.nanoTime() - t0) / 1e9;
                root.getEngine().setRandomSeed(0);
                double[] ms = new double[images];
                String maps = "";
                for (int i = -2; i < images; i++) {
                    try (NDManager scope = root.newSubManager()) {
                        NDArray x = scope.randomNormal(new Shape(1, 3, size, size));
                        long s = System.nanoTime();
                        NDList out = bb.extractScales(x);
                        out.forEach(NDArray::toFloatArray); // forces the computation to finish
                        if (i >= 0) {
                            ms[i] = (System.nanoTime() - s) / 1e6;
                        }
                        maps = out.stream().map(a -> a.getShape().toString()).reduce((a, b) -> a + " " + b).orElse("");
                    }
                }
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "%s at %d px on %s: median %.1f ms per image (min %.1f, max %.1f) over %d; loaded in %.1f s; maps %s%n",
                        bb.id(), size, Engines.describe(), sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], images, load, maps);
            }
        }
        return 0;
    }
}
