package io.github.astfiji.core;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Keeps PyTorch's convolutions off oneDNN's AVX-512 code on AMD processors.
 *
 * <p>On an AMD EPYC (Zen, AVX-512) machine, PyTorch 2.7.1's oneDNN convolutions now and
 * then returned a whole output of NaN for finite inputs and weights; the same call
 * repeated at once was finite (found in AST's flow: one subnet's whole output NaN while
 * its input, condition and weights were finite). Trainings died at random, "diverged"
 * with NaN losses, in 8 of 10 runs on a spot-field set and on the bundled brick samples;
 * with oneDNN held to AVX2 (its ONEDNN_MAX_CPU_ISA setting) 0 of 10, at about the same speed
 * (BENCHMARKS.md, Divergence). oneDNN reads that variable when it first runs a kernel, so
 * it is set here, in the process's own environment, before the engine starts: Fiji users
 * cannot set a variable before the JVM starts. A value the user set is kept;
 * -Dastfiji.onednnIsa=default leaves oneDNN alone, any other value is used instead of AVX2.
 *
 * <p>On the same machines libtorch printed "Could not initialize NNPACK! Reason: Unsupported
 * hardware" at every convolution (NNPACK is an optional fast path the convolutions run
 * without; no environment variable quiets libtorch's log under DJL): {@link #skipNnpack}
 * switches that path off in libtorch's global context once the engine is loaded (Linux).
 */
public final class CpuKernels {

    private static volatile String state;

    private CpuKernels() {
    }

    interface Posix extends Library {
        int setenv(String name, String value, int overwrite);
    }

    interface Windows extends Library {
        boolean SetEnvironmentVariableA(String name, String value);
    }

    /** Applies the limit once (later calls return the first outcome): the ISA set, "default", "kept ..." or why not. */
    public static synchronized String limit() {
        if (state != null) {
            return state;
        }
        String wanted = System.getProperty("astfiji.onednnIsa", "");
        if (wanted.equalsIgnoreCase("default")) {
            return state = "default";
        }
        String set = System.getenv("ONEDNN_MAX_CPU_ISA");
        if (set != null) {
            return state = "kept " + set;
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!(arch.equals("amd64") || arch.equals("x86_64"))) {
            return state = "not x86-64";
        }
        if (wanted.isEmpty()) {
            if (!isAmd()) {
                return state = "default (not an AMD processor)";
            }
            wanted = "AVX2";
        }
        String outcome = setIfAbsent("ONEDNN_MAX_CPU_ISA", wanted);
        return state = outcome == null ? wanted : outcome;
    }

    private static volatile boolean nnpackChecked;

    /**
     * Linux, after the engine is loaded: at::globalContext().setUserEnabledNNPACK(false) in the
     * libtorch_cpu this process mapped, when it exports those functions (else nothing changes).
     * Returns whether it was switched off.
     */
    public static synchronized boolean skipNnpack() {
        if (nnpackChecked) {
            return false;
        }
        nnpackChecked = true;
        try {
            String lib = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int at = line.indexOf('/');
                if (at >= 0 && line.endsWith("/libtorch_cpu.so")) {
                    lib = line.substring(at);
                    break;
                }
            }
            if (lib == null) {
                return false;
            }
            com.sun.jna.NativeLibrary torch = com.sun.jna.NativeLibrary.getInstance(lib);
            com.sun.jna.Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            torch.getFunction("_ZN2at7Context20setUserEnabledNNPACKEb").invokeVoid(new Object[] {context, Boolean.FALSE});
            return true;
        } catch (IOException | LinkageError | RuntimeException e) { // not Linux, or another libtorch: leave it
            return false;
        }
    }

    /** Sets a variable in the process's native environment unless it is set; null when done, else why not. */
    private static String setIfAbsent(String name, String value) {
        if (System.getenv(name) != null) {
            return "kept " + System.getenv(name);
        }
        try {
            boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
            boolean ok = windows ? Native.load("kernel32", Windows.class).SetEnvironmentVariableA(name, value)
                    : Native.load("c", Posix.class).setenv(name, value, 0) == 0;
            return ok ? null : "refused by the C library";
        } catch (LinkageError | RuntimeException e) { // no JNA: run with the engine's own choice
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    /** Whether the processor is AMD's (Linux: /proc/cpuinfo; Windows: PROCESSOR_IDENTIFIER). */
    static boolean isAmd() {
        String id = System.getenv("PROCESSOR_IDENTIFIER");
        if (id != null && id.contains("AMD")) {
            return true;
        }
        try {
            Path info = Path.of("/proc/cpuinfo");
            return Files.isReadable(info) && Files.readString(info).contains("AuthenticAMD");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
