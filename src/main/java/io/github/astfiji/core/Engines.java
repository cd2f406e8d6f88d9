package io.github.astfiji.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;

/** Starts DJL's PyTorch engine offline and hands out the root NDManager of a command. */
public final class Engines {

    private Engines() {
    }

    /**
     * A new root manager on the CPU. Unless the user asked otherwise, DJL is told to stay
     * offline: the product never downloads an engine or a model by itself.
     */
    public static NDManager newManager() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // ImageJ 1 loads plugins in its own class loader, but DJL finds engines and native
        // libraries through the thread's context class loader: point it at ours.
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(Engines.class.getClassLoader());
        try {
            return Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
        } catch (EngineException | IllegalArgumentException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("the PyTorch engine could not start (" + e.getMessage() + "). "
                    + "Check that the pytorch-native-cpu jar is installed beside the plugin (see README, 'Install').", e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
