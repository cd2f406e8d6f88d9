package io.github.astfiji.core.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Keeps PyTorch's convolutions off oneDNN on AMD processors, where its kernels were wrong.
 *
 * <p>On an AMD EPYC (Zen, AVX-512) machine, PyTorch 2.7.1's oneDNN convolutions now and
 * then returned a whole output of NaN for finite inputs and weights (found in AST's flow: one
 * subnet's whole output NaN while its input, condition and weights were finite; the same
 * call repeated at once was finite): trainings died at random with NaN losses, the bundled
 * brick samples included. Held to AVX2 (ONEDNN_MAX_CPU_ISA) no NaN appeared, but the Reverse
 * Distillation parity test then failed (bottleneck code 0.977 where PyTorch gives 1.070);
 * held to SSE4.1 it passed. With oneDNN switched off in libtorch's global context the
 * convolutions run on PyTorch's own kernels: correct in every test, at about 1.7x the time
 * (BENCHMARKS.md, Divergence). So on AMD processors this class switches oneDNN off once the
 * engine is loaded (Linux, where libtorch's functions can be called by name), and elsewhere
 * sets ONEDNN_MAX_CPU_ISA=SSE41 in the process's own environment before the engine starts
 * (Fiji users cannot set a variable before the JVM starts). A value the user set is kept.
 * -Dastfiji.onednn=on leaves oneDNN alone, =off switches it off on any processor, and any
 * other value is used as oneDNN's instruction-set limit (e.g. AVX2).
 *
 * <p>On the same machines libtorch printed "Could not initialize NNPACK! Reason: Unsupported
 * hardware" at every convolution (NNPACK is an optional fast path the convolutions run
 * without; no environment variable quiets libtorch's log under DJL): that path is switched
 * off too (Linux).
 */
public final class CpuKernels {

    private static volatile String before;
    private static volatile String after;

    private CpuKernels() {
    }

    interface Posix extends Library {
        int setenv(String name, String value, int overwrite);
    }

    interface Windows extends Library {
        boolean SetEnvironmentVariableA(String name, String value);
    }

    /** What the user asked for (-Dastfiji.onednn), or for AMD x86-64 processors "off", else "on". */
    static String choice() {
        String asked = System.getProperty("astfiji.onednn", "").trim();
        if (!asked.isEmpty()) {
            return asked.toLowerCase(Locale.ROOT);
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return (arch.equals("amd64") || arch.equals("x86_64")) && isAmd() ? "off" : "on";
    }

    /**
     * Before the engine loads: the instruction-set limit, where one applies (once; later calls
     * return the first outcome): "on", the limit set, "kept ..." or why not.
     */
    public static synchronized String beforeEngine() {
        if (before != null) {
            return before;
        }
        String choice = choice();
        if (choice.equals("on")) {
            return before = "on";
        }
        // "off" still sets a safe limit, in case oneDNN cannot be switched off by name below
        String isa = choice.equals("off") ? "SSE41" : choice.toUpperCase(Locale.ROOT);
        String outcome = setIfAbsent("ONEDNN_MAX_CPU_ISA", isa);
        return before = outcome == null ? isa : outcome;
    }

    /**
     * After the engine loaded (Linux): NNPACK off, and oneDNN off where chosen, through
     * at::globalContext() in the libtorch_cpu this process mapped (once): what was done.
     */
    public static synchronized String afterEngine() {
        if (after != null) {
            return after;
        }
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
                return after = "no libtorch_cpu mapped";
            }
            NativeLibrary torch = NativeLibrary.getInstance(lib);
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            torch.getFunction("_ZN2at7Context20setUserEnabledNNPACKEb").invokeVoid(new Object[] {context, Boolean.FALSE});
            if (choice().equals("off")) {
                torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb").invokeVoid(new Object[] {context, Boolean.FALSE});
                return after = "oneDNN off";
            }
            return after = "NNPACK off";
        } catch (IOException | LinkageError | RuntimeException e) { // not Linux, or another libtorch: leave it
            return after = "unchanged (" + e.getMessage() + ")";
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
