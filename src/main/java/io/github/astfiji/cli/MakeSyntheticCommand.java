package io.github.astfiji.cli;

import io.github.astfiji.io.SyntheticDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "make-synthetic", mixinStandardHelpOptions = true,
        description = "Write the synthetic RGB-D benchmark (MVTec 3D-AD layout: textures and objects; RGB-only, depth-only and "
                + "RGB+depth defects; misplaced parts).")
final class MakeSyntheticCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "New (or empty) folder to write into.")
    Path out;

    @Option(names = "--size", defaultValue = "large", description = "small (2 categories, 64 px, for tests) or large (4 categories, 128 px).")
    String size;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (the data set is a pure function of size and seed).")
    long seed;

    @Override
    public Integer call() throws Exception {
        ConsoleProgress progress = new ConsoleProgress(System.err);
        SyntheticDataset.write(out, SyntheticDataset.Size.named(size), seed, progress);
        progress.finish();
        System.out.println("Synthetic RGB-D data set written to " + out);
        return 0;
    }
}
