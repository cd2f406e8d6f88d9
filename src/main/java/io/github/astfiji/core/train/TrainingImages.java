package io.github.astfiji.core.train;

import io.github.astfiji.core.detector.Detector;
import io.github.astfiji.core.engine.Progress;
import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.FloatArrays;
import io.github.astfiji.core.image.FloatImage;
import io.github.astfiji.core.image.ImageSource;
import io.github.astfiji.core.image.Preprocessing;
import io.github.astfiji.core.image.PixelScale;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.tiling.Sizing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training images before any network sees them: one pass that checks they agree in
 * channels and bit depth and hold finite values, fits the intensity scaling, and records
 * their typical size (deciding "auto" sizing); then each image loaded with its depth and
 * mask as the detector takes it. Problems name the image.
 */
final class TrainingImages {

    private final DetectorConfig config;
    private final Progress progress;

    TrainingImages(DetectorConfig config, Progress progress) {
        this.config = config;
        this.progress = progress;
    }

    /** One pass over the images: consistent channels and bit depth, and intensity percentiles. */
    Preprocessing checkAndFit(List<ImageSource> images) throws IOException {
        progress.stage("Checking training images", images.size());
        FloatImage first = null;
        String firstName = null;
        List<float[]> samples = new ArrayList<>();
        int[] widths = new int[images.size()];
        int[] heights = new int[images.size()];
        int perImage = Math.max(1000, 2_000_000 / images.size());
        double pixelSize = -1; // -1: not yet seen; 0: uncalibrated
        String pixelSizeFrom = null;
        for (int i = 0; i < images.size(); i++) {
            progress.checkCancelled();
            ImageSource src = images.get(i);
            FloatImage im = load(src);
            if (first == null) {
                first = im;
                firstName = src.name();
            } else if (im.channels() != first.channels() || is8(im) != is8(first)) {
                throw new IllegalArgumentException("training image " + src.name() + " is " + describe(im)
                        + " but " + firstName + " is " + describe(first)
                        + "; all training images must have the same type (convert them, or train separate models)");
            }
            String bad = Preprocessing.nonFinite(im);
            if (bad != null) {
                throw new IllegalArgumentException("training image " + src.name() + ": " + bad);
            }
            samples.add(sample(im, perImage));
            double size = src.pixelSize();
            if (pixelSize < 0) {
                pixelSize = size;
                pixelSizeFrom = src.name();
            } else if (PixelScale.factor(size, pixelSize) != 1 || (size > 0) != (pixelSize > 0)) {
                throw new IllegalArgumentException("training image " + src.name() + " has " + (size > 0 ? PixelScale.describe(size) : "no pixel size")
                        + " but " + pixelSizeFrom + " has " + (pixelSize > 0 ? PixelScale.describe(pixelSize) : "none") + "; a model learns "
                        + "one scale: bring the images to one pixel size (Image > Scale, Image > Properties), or train separate models");
            }
            widths[i] = im.width();
            heights[i] = im.height();
            progress.step(i + 1, src.name());
        }
        resolveSizing(median(widths), median(heights));
        // one probe image whose channel c holds every image's samples of channel c
        int channels = first.channels();
        List<float[]> byChannel = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            List<float[]> parts = new ArrayList<>();
            for (float[] one : samples) {
                int len = one.length / channels;
                parts.add(Arrays.copyOfRange(one, c * len, (c + 1) * len));
            }
            byChannel.add(FloatArrays.concat(parts));
        }
        float[] pooled = FloatArrays.concat(byChannel);
        FloatImage probe = new FloatImage(pooled.length / channels, 1, channels, first.bitDepth(), pooled);
        Preprocessing fitted = Preprocessing.fit(List.of(probe), config.imageSize);
        fitted.pixelSize = Math.max(0, pixelSize);
        return fitted;
    }

    /** Evenly strided samples of an image, the same positions in every channel: channels x n floats. */
    private static float[] sample(FloatImage im, int budget) {
        int plane = im.width() * im.height();
        int step = Math.max(1, plane * im.channels() / budget);
        int n = (plane + step - 1) / step;
        float[] s = new float[n * im.channels()];
        for (int c = 0; c < im.channels(); c++) {
            for (int k = 0, j = 0; j < plane; j += step) {
                s[c * n + k++] = im.data()[c * plane + j];
            }
        }
        return s;
    }

    /**
     * Records the training images' typical size and decides "auto" sizing: tiles at full
     * resolution for images more than twice the network input, the whole image fitted
     * otherwise; depth keeps the papers' resizing (its foreground and channels are computed
     * on the whole map).
     */
    private void resolveSizing(int width, int height) {
        config.trainingWidth = width;
        config.trainingHeight = height;
        if (config.sizing == Sizing.AUTO) {
            config.sizing = config.input.usesDepth() ? Sizing.RESIZE : Math.max(width, height) > 2 * config.imageSize ? Sizing.TILE : Sizing.FIT;
        }
        if (config.input.usesDepth() && config.sizing != Sizing.RESIZE) {
            throw new IllegalArgumentException("depth input works with the whole image resized (sizing resize), not " + config.sizing);
        }
    }

    private static int median(int[] v) {
        int[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static boolean is8(FloatImage im) {
        return im.bitDepth() == 8 || im.bitDepth() == 24;
    }

    private static String describe(FloatImage im) {
        String kind = im.channels() == 1 ? "grayscale " : im.bitDepth() == 24 ? "RGB " : im.channels() + "-channel ";
        return kind + (im.bitDepth() == 24 ? 8 : im.bitDepth()) + "-bit";
    }

    static FloatImage load(ImageSource src) throws IOException {
        try {
            return src.load();
        } catch (IOException e) {
            throw new IOException("cannot read training image " + src.name() + ": " + e.getMessage(), e);
        }
    }

    /** Loads one image with its depth and mask; problems name the image. */
    static Detector.Input input(ImageSource src, Detector detector) throws IOException {
        FloatImage im = load(src);
        DepthMap depth;
        float[] mask;
        try {
            depth = src.depth();
            mask = src.mask();
        } catch (IOException e) {
            throw new IOException("cannot read the depth or mask of training image " + src.name() + ": " + e.getMessage(), e);
        }
        try {
            return detector.input(im, depth, mask);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("training image " + src.name() + ": " + e.getMessage(), e);
        }
    }
}
