package io.github.astfiji.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.FilterBankBackbone;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.us.TeacherTraining;
import io.github.astfiji.core.us.UsTeacher;
import io.github.astfiji.io.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Pretrains Uninformed Students' teachers (once, for every later task) and writes a
 * teacher file. Without options it makes the plugin's built-in teacher: freely licensed
 * photos shipped by Debian's python3-skimage, distilled from the built-in filter bank.
 */
@Command(name = "make-us-teacher", mixinStandardHelpOptions = true,
        description = "Pretrain Uninformed Students teachers on natural image patches and write a teacher file.")
final class MakeUsTeacherCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    /** CC0 or public-domain photos in Debian's python3-skimage (none is used by the benchmarks). */
    static final List<String> DEFAULT_IMAGES = List.of("astronaut.png", "camera.png", "chelsea.png", "coffee.png",
            "hubble_deep_field.jpg", "retina.jpg", "rocket.jpg", "text.png");
    static final Path SKIMAGE = Path.of("/usr/lib/python3/dist-packages/skimage/data");

    @Option(names = "--out", required = true, description = "Teacher file to write (e.g. teacher.zip).")
    Path out;

    @Option(names = "--images", split = ",", description = "Images or folders to take patches from (default: 8 CC0/public-domain photos of Debian's python3-skimage).")
    List<Path> images;

    @Option(names = "--backbone", description = "Network to distil from: resnet18 (the paper's: ImageNet ResNet-18's pooled "
            + "descriptor, downloaded once), a TorchScript file (e.g. resnet18_pooled.pt from scripts/export_backbone.py) or "
            + "builtin:filter-bank (default).")
    String backbone;

    @Option(names = "--steps", defaultValue = "1000", description = "Optimiser steps per patch size (default 1000).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "64", description = "Patch triplets per step (default 64).")
    int batchSize;

    @Option(names = "--width", defaultValue = "0.25", description = "Hidden widths relative to the paper's (default 0.25: 32-64 channels).")
    float width;

    @Option(names = "--patch-sizes", split = ",", defaultValue = "17,33,65", description = "Patch sizes (default 17,33,65).")
    int[] patchSizes;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--overwrite", description = "Replace an existing teacher file.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        engine.apply();
        List<String> names = new ArrayList<>();
        List<FloatImage> loaded = pretrainingImages(images, names);
        TeacherTraining.Settings s = new TeacherTraining.Settings();
        s.steps = steps;
        s.batchSize = batchSize;
        s.widthFactor = width;
        s.patchSizes = patchSizes;
        s.seed = seed;
        ConsoleProgress progress = new ConsoleProgress(System.err);
        try (NDManager root = Engines.newManager()) {
            // the paper distils from ResNet-18's pooled descriptor: "resnet18" means that here
            String spec = backbone == null ? FilterBankBackbone.ID : BackboneSetup.asPooledDescriptor(backbone);
            Backbone target = BackboneSetup.create(spec, FilterBankBackbone.ID, root, 64, seed, engine.fetching(progress));
            if (target.needsCalibration()) {
                calibrate(target, loaded, root);
            }
            TeacherTraining training = new TeacherTraining(s, progress);
            Params teachers = training.train(loaded, target, root);
            progress.finish();
            UsTeacher.Info info = new UsTeacher.Info();
            info.patchSizes = patchSizes;
            info.widthFactor = width;
            info.descriptorDim = s.descriptorDim;
            info.provenance = training.describeRun(target.id(), names);
            UsTeacher.write(out, info, teachers, overwrite);
            System.out.println("Teacher written to " + out + "\n" + info.provenance);
        }
        return 0;
    }

    /**
     * The images a teacher learns from: the given images or folders, else the default
     * photos of python3-skimage; their file names go to {@code names} (for the provenance).
     */
    static List<FloatImage> pretrainingImages(List<Path> given, List<String> names) throws java.io.IOException {
        List<Path> files = new ArrayList<>();
        if (given == null || given.isEmpty()) {
            for (String name : DEFAULT_IMAGES) {
                Path p = SKIMAGE.resolve(name);
                if (!java.nio.file.Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(p + " not found: install Debian's python3-skimage, or give --images");
                }
                files.add(p);
            }
        } else {
            for (Path p : given) {
                files.addAll(ImageFiles.list(p, true));
            }
        }
        List<FloatImage> loaded = new ArrayList<>();
        for (Path f : files) {
            loaded.add(ImageFiles.toFloatImage(ImageFiles.open(f), 1));
            names.add(f.getFileName().toString());
        }
        return loaded;
    }

    /** A built-in target's feature statistics, from 128 px views of the pretraining images. */
    static void calibrate(Backbone target, List<FloatImage> images, NDManager root) {
        Preprocessing pre = Preprocessing.fit(List.of(images.get(0)), 128);
        List<NDArray> batches = new ArrayList<>();
        try (NDManager scope = root.newSubManager()) {
            for (FloatImage im : images) {
                pre.channels = im.channels();
                batches.add(scope.create(pre.apply(im), new Shape(1, 3, 128, 128)));
            }
            target.calibrate(batches);
        }
    }
}
