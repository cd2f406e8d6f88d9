package io.github.astfiji.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Locale;

/**
 * The one place that starts DJL's PyTorch engine (offline), decides the device every
 * tensor of a run lives on, and sets the CPU threads. Commands call {@link #configure}
 * with the user's choice (CLI options, Fiji settings) and then take their root manager
 * from {@link #newManager}; everything below inherits its device.
 */
public final class Engines {

    private static volatile String deviceSpec = "auto";
    private static volatile int threads;
    private static volatile Device resolved;

    private Engines() {
    }

    /**
     * The device ("auto", "cpu", "gpu" or "gpu:N"; null keeps the current choice) and CPU
     * threads for PyTorch's operators (0 keeps the current choice; the default is PyTorch's,
     * one per core). A device that is not there is refused when the first manager is made.
     */
    public static synchronized void configure(String device, int cpuThreads) {
        if (device != null && !device.isBlank()) {
            parse(device); // refuse a malformed choice now, not at the first tensor
            if (!device.trim().toLowerCase(Locale.ROOT).equals(deviceSpec)) {
                deviceSpec = device.trim().toLowerCase(Locale.ROOT);
                resolved = null;
            }
        }
        if (cpuThreads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per core) or a positive number, is " + cpuThreads);
        }
        if (cpuThreads > 0) {
            threads = cpuThreads;
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(cpuThreads));
            // once the engine runs, the property is read no more: set the running engine too
            if (resolved != null) {
                JniUtils.setNumThreads(cpuThreads);
            }
        }
    }

    /** The CPU threads asked for (0 = PyTorch's default). */
    public static int threads() {
        return threads;
    }

    /** "auto" -> -2, "cpu" -> -1, "gpu" -> 0, "gpu:N" -> N; anything else is refused with the valid forms. */
    static int parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "auto":
                return -2;
            case "cpu":
                return -1;
            case "gpu":
            case "cuda":
                return 0;
            default:
                if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
                    try {
                        int n = Integer.parseInt(s.substring(s.indexOf(':') + 1));
                        if (n >= 0) {
                            return n;
                        }
                    } catch (NumberFormatException e) {
                        // falls through to the message
                    }
                }
                throw new IllegalArgumentException("unknown device '" + spec + "'; use auto, cpu, gpu or gpu:N (N = 0, 1, ...)");
        }
    }

    /**
     * The device of this run: auto takes the first GPU when DJL's engine sees one, else the
     * CPU; a GPU asked for but not usable is refused with what to install.
     */
    public static synchronized Device device() {
        if (resolved != null) {
            return resolved;
        }
        Engine engine = engine();
        NativeAllocator.tune();
        int want = parse(deviceSpec);
        int gpus = engine.getGpuCount();
        if (want == -2) {
            resolved = gpus > 0 ? Device.gpu(0) : Device.cpu();
        } else if (want == -1) {
            resolved = Device.cpu();
        } else if (want < gpus) {
            resolved = Device.gpu(want);
        } else {
            throw new IllegalStateException("GPU " + want + " was asked for, but PyTorch " + engine.getVersion() + " here sees "
                    + (gpus == 0 ? "no GPU" : gpus + " GPU(s)") + ". The plugin ships PyTorch's CPU build; for a GPU install an NVIDIA "
                    + "driver and a CUDA 12.8 build of PyTorch 2.7.1 for DJL (README, 'GPU'), or use --device cpu");
        }
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        return resolved;
    }

    /**
     * A hint for a busy machine, or "": PyTorch's default is a thread per core, and beside
     * other CPU-bound processes that is slower than fewer threads (measured: 2.8 times the
     * time with 2 threads beside one busy process on 2 cores, 1.1 times with 1 thread;
     * BENCHMARKS.md, Threads). The cores busy right now are read from Linux's /proc/stat
     * over a quarter second (the load average would still count a run that just ended);
     * call it before the run's own work starts.
     */
    public static String busyMachineHint() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (device().isGpu() || JniUtils.getNumThreads() < cores) {
            return "";
        }
        double busy = busyCores();
        if (busy < 0.75) {
            return "";
        }
        int free = Math.max(1, cores - (int) Math.round(busy));
        return String.format(java.util.Locale.ROOT, "Other processes kept %.1f of this machine's %d cores busy as training began "
                + "and training used %d threads; beside such work --threads %d (Plugins > Anomaly Detection > Options in Fiji) is "
                + "usually faster.", busy, cores, JniUtils.getNumThreads(), free);
    }

    /** Cores busy over a quarter second, from /proc/stat; 0 where that cannot be read. */
    static double busyCores() {
        try {
            long[] a = cpuTimes();
            Thread.sleep(250);
            long[] b = cpuTimes();
            double total = b[0] - a[0];
            return total <= 0 ? 0 : (b[1] - a[1]) / total * Runtime.getRuntime().availableProcessors();
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** {total, busy} jiffies of all CPUs (busy = all but idle and iowait). */
    private static long[] cpuTimes() throws java.io.IOException {
        String line = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0);
        String[] f = line.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total, total - idle};
    }

    /** Restores the thread's gradient recording when closed. */
    public interface GradientsOff extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Switches off PyTorch's gradient recording on this thread (it is on by default, and
     * operators on trainable weights would otherwise build an autograd graph that scoring
     * never uses) until the returned guard is closed.
     */
    public static GradientsOff gradientsOff() {
        device(); // the engine must be running
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return () -> JniUtils.setGradMode(was);
    }

    /** What this run computes on, for messages: "cpu (2 threads)" or "gpu(0)". */
    public static String describe() {
        Device d = device();
        return d.isGpu() ? d.toString() : "cpu (" + JniUtils.getNumThreads() + " threads)";
    }

    private static Engine engine() {
        CpuKernels.beforeEngine(); // before the engine runs its first kernel
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // ImageJ 1 loads plugins in its own class loader, but DJL finds engines and native
        // libraries through the thread's context class loader: point it at ours.
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(Engines.class.getClassLoader());
        try {
            Engine engine = Engine.getEngine("PyTorch");
            CpuKernels.afterEngine();
            return engine;
        } catch (EngineException | IllegalArgumentException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("the PyTorch engine could not start (" + e.getMessage() + "). "
                    + "Check that the pytorch-native-cpu jar is installed beside the plugin (see README, 'Install').", e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /**
     * A new root manager on the run's device. Unless the user asked otherwise, DJL is told
     * to stay offline: the product never downloads an engine or a model by itself.
     */
    public static NDManager newManager() {
        Device d = device();
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(Engines.class.getClassLoader());
        try {
            return engine().newBaseManager(d);
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
