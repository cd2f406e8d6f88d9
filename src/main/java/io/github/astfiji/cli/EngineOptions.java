package io.github.astfiji.cli;

import io.github.astfiji.core.engine.Engines;
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

    /** Applies the choice; call before the first tensor. */
    void apply() {
        Engines.configure(device, threads);
    }
}
