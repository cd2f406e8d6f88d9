package io.github.astfiji.cli;

import ai.djl.ndarray.NDManager;
import io.github.astfiji.core.backbone.Backbone;
import io.github.astfiji.core.backbone.FilterBankBackbone;
import io.github.astfiji.core.efficientad.PdnDistillation;
import io.github.astfiji.core.efficientad.PdnTeacher;
import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.nn.Params;
import io.github.astfiji.core.registry.BackboneSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Distils an EfficientAD teacher (a PDN) from any backbone the plugin can load and writes a
 * teacher file. Without options it makes the plugin's built-in teacher: freely licensed
 * photos shipped by Debian's python3-skimage, distilled from the built-in filter pyramid.
 * With an ImageNet backbone (e.g. wide-resnet50-2, downloaded once) and a GPU it makes a
 * teacher close to the paper's.
 */
@Command(name = "make-pdn-teacher", mixinStandardHelpOptions = true,
        description = "Distil an EfficientAD teacher (patch description network) from a backbone and write a teacher file.")
final class MakePdnTeacherCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--out", required = true, description = "Teacher file to write (e.g. pdn-teacher.zip).")
    Path out;

    @Option(names = "--images", split = ",", description = "Images or folders to take crops from (default: 8 CC0/public-domain photos of Debian's python3-skimage).")
    List<Path> images;

    @Option(names = "--backbone", description = "Network to distil from: builtin:filter-pyramid (default), builtin:filter-bank, "
            + "a pretrained name such as wide-resnet50-2 (downloaded once), or a TorchScript file.")
    String backbone;

    @Option(names = "--size", defaultValue = "small", description = "PDN shape: small (default) or medium.")
    String size;

    @Option(names = "--width", defaultValue = "0.25", description = "Hidden widths relative to the paper's (default 0.25, fast on a CPU; the paper: 1).")
    float width;

    @Option(names = "--steps", defaultValue = "1000", description = "Optimiser steps (default 1000; the paper: 60 000).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Crops per step (default 8; the paper: 16).")
    int batchSize;

    @Option(names = "--crop", defaultValue = "128", description = "Crop side in pixels (default 128; the paper: 256).")
    int crop;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--overwrite", description = "Replace an existing teacher file.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        engine.apply();
        String shape = size.trim().toLowerCase(Locale.ROOT);
        if (!shape.equals("small") && !shape.equals("medium")) {
            throw new IllegalArgumentException("--size must be small or medium, is " + size);
        }
        if (crop < 64 || crop % 4 != 0) {
            throw new IllegalArgumentException("--crop must be a multiple of 4 and at least 64, is " + crop);
        }
        List<String> names = new ArrayList<>();
        List<FloatImage> loaded = MakeUsTeacherCommand.pretrainingImages(images, names);
        PdnDistillation.Settings s = new PdnDistillation.Settings();
        s.modelSize = shape;
        s.widthFactor = width;
        s.steps = steps;
        s.batchSize = batchSize;
        s.cropSize = crop;
        s.seed = seed;
        ConsoleProgress progress = new ConsoleProgress(System.err);
        try (NDManager root = Engines.newManager()) {
            String spec = backbone == null ? FilterBankBackbone.PYRAMID_ID : backbone;
            Backbone target = BackboneSetup.create(spec, FilterBankBackbone.PYRAMID_ID, root, crop, seed, engine.fetching(progress));
            if (target.needsCalibration()) {
                MakeUsTeacherCommand.calibrate(target, loaded, root);
            }
            long t0 = System.nanoTime();
            PdnDistillation training = new PdnDistillation(s, progress);
            Params teacher = training.train(loaded, target, root);
            progress.finish();
            PdnTeacher.Info info = new PdnTeacher.Info();
            info.modelSize = shape;
            info.widthFactor = width;
            info.channels = s.channels;
            info.provenance = training.describeRun(target.id(), names, (System.nanoTime() - t0) / 1e9);
            PdnTeacher.write(out, info, teacher, overwrite);
            System.out.println("Teacher written to " + out + "\n" + info.provenance);
            System.out.println("Loss per twentieth of the steps: " + training.lossCurve());
        }
        return 0;
    }
}
