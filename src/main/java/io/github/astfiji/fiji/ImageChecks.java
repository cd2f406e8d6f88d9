package io.github.astfiji.fiji;

import ij.ImagePlus;

/** Up-front validation of ImageJ images, with messages that say what to do. */
public final class ImageChecks {

    private ImageChecks() {
    }

    /** Null when the image can be used, otherwise why not. */
    public static String problem(ImagePlus imp) {
        if (imp == null) {
            return "no image is open; open an image (or choose a folder) first";
        }
        int bd = imp.getBitDepth();
        if (bd != 8 && bd != 16 && bd != 24 && bd != 32) {
            return imp.getTitle() + " has an unsupported bit depth (" + bd + "); use 8-, 16-, 32-bit or RGB";
        }
        if (imp.getNChannels() > io.github.astfiji.core.image.FloatImage.MAX_CHANNELS) {
            return imp.getTitle() + " has " + imp.getNChannels() + " channels; at most " + io.github.astfiji.core.image.FloatImage.MAX_CHANNELS
                    + " are read. Is it a spectrum or a time series stored as channels? Image > Hyperstacks > Re-order Hyperstack fixes the latter";
        }
        return null;
    }
}
