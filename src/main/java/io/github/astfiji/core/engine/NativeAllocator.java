package io.github.astfiji.core.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Locale;

/**
 * Keeps PyTorch's large buffers inside the process between training steps on Linux.
 *
 * <p>glibc hands every block over its mmap threshold (at most 32 MB by default) back to the
 * kernel when it is freed, so each step's gradients and optimiser temporaries of a paper-size
 * network (a 1024x1024x3x3 convolution's are 38 MB) were mapped afresh and faulted in page by
 * page: measured at the paper's AST setting on 2 cores, 14 million page faults and 32 s of
 * system time in an 85 s training, student epochs 5.3 s. Serving such blocks from the heap
 * and trimming it only past 512 MB took the faults to under 1 million and the student
 * epochs to 3.6 s, for some 500 MB more resident memory (BENCHMARKS.md, Speed and memory).
 * The same settings are glibc's MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_; they are
 * set here through mallopt because Fiji users cannot set a variable before the JVM starts.
 * Switch off with -Dastfiji.tuneMalloc=false.
 */
public final class NativeAllocator {

    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD = 256 << 20;
    static final int TRIM_THRESHOLD = 512 << 20;
    private static volatile String state;

    private NativeAllocator() {
    }

    /** glibc's mallopt. */
    interface C extends Library {
        int mallopt(int param, int value);
    }

    /** Applies the settings once (later calls return the first outcome): "tuned", "off" or why not. */
    public static synchronized String tune() {
        if (state != null) {
            return state;
        }
        if (!Boolean.parseBoolean(System.getProperty("astfiji.tuneMalloc", "true"))) {
            return state = "off";
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return state = "not linux";
        }
        try {
            C c = Native.load("c", C.class);
            boolean ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1;
            return state = ok ? "tuned" : "refused by the C library";
        } catch (LinkageError | RuntimeException e) { // no JNA or no C library: run untuned
            return state = "unavailable (" + e.getMessage() + ")";
        }
    }
}
