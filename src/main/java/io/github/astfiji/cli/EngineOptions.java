package io.github.astfiji.cli;

import io.github.astfiji.core.engine.Engines;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.registry.BackboneSetup;
import io.github.astfiji.core.weights.WeightsStore;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the work runs: the device and the CPU threads, for every command that computes. */
final class EngineOptions {

    @Option(names = "--device", defaultValue = "auto",
            description = "auto (default: a GPU when PyTorch sees one, else the CPU), cpu, gpu or gpu:N.")
    String device;

    @Option(names = "--threads", defaultValue = "0",
            description = "CPU threads for PyTorch (default 0 = one per core). On a machine other jobs also use, 1 keeps "
                    + "training steady (see BENCHMARKS.md, 'Threads').")
    int threads;

    @Option(names = "--weights-dir", paramLabel = "DIR", description = "Folder for downloaded backbone weights (default: "
            + "$AST_FIJI_WEIGHTS, else ~/.cache/ast-fiji/weights; macOS ~/Library/Caches/ast-fiji/weights; Windows "
            + "%%LOCALAPPDATA%%\\ast-fiji\\weights).")
    Path weightsDir;

    @Option(names = "--offline", description = "Never download: backbone weights must already be in the weights folder.")
    boolean offline;

    /** Applies the choice; call before the first tensor. */
    void apply() {
        Engines.configure(device, threads);
        if (weightsDir != null) {
            System.setProperty(WeightsStore.FOLDER_PROPERTY, weightsDir.toString());
        }
        if (offline) {
            System.setProperty(WeightsStore.OFFLINE_PROPERTY, "true");
        }
    }

    /** Where backbone weights come from, with downloads shown on this progress. */
    BackboneSetup.Fetching fetching(Progress progress) {
        return BackboneSetup.Fetching.standard(progress, progress::note);
    }
}
