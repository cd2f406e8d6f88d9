package io.github.astfiji.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device and thread choice, on a machine without a GPU (as CI is): auto falls back to
 * the CPU and says so, a GPU asked for is refused with what to install, tensors are made
 * on the chosen device, and the thread count reaches the running engine.
 */
class EnginesTest {

    @Test
    void deviceChoiceOnAMachineWithoutAGpu() {
        assertEquals(-2, Engines.parse("auto"));
        assertEquals(-1, Engines.parse("CPU"));
        assertEquals(0, Engines.parse("gpu"));
        assertEquals(3, Engines.parse("gpu:3"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Engines.configure("tpu", 0));
        assertTrue(bad.getMessage().contains("auto, cpu, gpu or gpu:N"), bad.getMessage());
        try {
            Engines.configure("gpu:0", 0);
            IllegalStateException none = assertThrows(IllegalStateException.class, Engines::newManager);
            assertTrue(none.getMessage().contains("sees no GPU") && none.getMessage().contains("CUDA")
                    && none.getMessage().contains("--device cpu"), none.getMessage());
            Engines.configure("auto", 0);
            assertEquals(Device.cpu(), Engines.device(), "auto takes the CPU when there is no GPU");
            assertTrue(Engines.describe().startsWith("cpu ("), Engines.describe());
            try (NDManager m = Engines.newManager()) {
                NDArray a = m.create(new float[] {1, 2, 3});
                assertEquals(Device.cpu(), a.getDevice(), "tensors live on the chosen device");
                assertEquals(Device.cpu(), m.newSubManager().getDevice(), "sub-managers inherit it");
            }
        } finally {
            Engines.configure("auto", 0);
        }
    }

    /** On Linux with glibc (this machine, CI) the engine's start applies the allocator settings; a second call changes nothing. */
    @Test
    void allocatorIsTunedWhenTheEngineStarts() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "Linux only");
        Engines.device();
        assertEquals("tuned", NativeAllocator.tune());
        assertEquals("tuned", NativeAllocator.tune());
    }

    @Test
    void threadsReachTheRunningEngine() {
        Engines.device(); // the engine is running
        int before = JniUtils.getNumThreads();
        try {
            Engines.configure(null, 1);
            assertEquals(1, JniUtils.getNumThreads());
            assertTrue(Engines.describe().contains("1 threads"), Engines.describe());
            assertThrows(IllegalArgumentException.class, () -> Engines.configure(null, -2));
        } finally {
            Engines.configure(null, before);
        }
    }

    @Test
    void aSpinningNeighbourCountsAsABusyCore() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/stat")), "Linux only");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread spinner = new Thread(() -> {
            long x = 0;
            while (!stop.get()) {
                x += System.nanoTime() % 7;
            }
            if (x == 42) {
                System.out.print("");
            }
        });
        spinner.start();
        try {
            Thread.sleep(100);
            double busy = Engines.busyCores();
            assertTrue(busy >= 0.6 && busy <= Runtime.getRuntime().availableProcessors() + 0.01, "busy cores " + busy);
        } finally {
            stop.set(true);
            spinner.join();
        }
    }
}
