package io.github.astfiji.fiji;

import io.github.astfiji.core.image.DepthMap;
import io.github.astfiji.core.image.PixelSource;
import net.imglib2.Cursor;
import net.imglib2.FinalInterval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place where ImageJ2 / imglib2 images meet the core: an image is read slice by
 * slice and region by region through its own accessors (nothing converted ahead, so a
 * huge image streams tile by tile), and maps come back as {@code Img<FloatType>} wrapping
 * the computed arrays without copying. Layouts: ARGB pixels are RGB; a 2-D real image is
 * one grayscale image; a 3-D real image is a stack of grayscale slices along its third
 * dimension. Bit depth follows the pixel type (8-bit, 16-bit, else 32-bit).
 */
public final class Imglib2Images {

    private Imglib2Images() {
    }

    /** Slices of the image, each a PixelSource; an image of another shape is refused with what to do. */
    public static List<PixelSource> slices(RandomAccessibleInterval<?> img) {
        RandomAccessibleInterval<?> z = Views.zeroMin(img);
        int n = z.numDimensions();
        if (n < 2 || n > 3) {
            throw new IllegalArgumentException("the image has " + n + " dimensions; give a 2-D image or a 3-D stack "
                    + "(for a multi-channel image, split the channels or convert it to RGB first)");
        }
        Object type = z.getType();
        if (!(type instanceof ARGBType) && !(type instanceof RealType)) {
            throw new IllegalArgumentException("the image's pixels are " + type.getClass().getSimpleName()
                    + "; give grayscale (8-, 16- or 32-bit) or ARGB colour pixels");
        }
        List<PixelSource> out = new ArrayList<>();
        long count = n == 2 ? 1 : z.dimension(2);
        for (long s = 0; s < count; s++) {
            RandomAccessibleInterval<?> plane = n == 2 ? z : Views.hyperSlice(z, 2, s);
            out.add(new Slice(plane, type));
        }
        return out;
    }

    /** One slice of a depth stack (single-channel real values) as a depth map. */
    public static DepthMap depth(RandomAccessibleInterval<?> img, int index) {
        List<PixelSource> s = slices(img);
        PixelSource p = s.get(index);
        if (p.channels() != 1) {
            throw new IllegalArgumentException("the depth image has colour pixels; depth must be single-channel 16- or 32-bit values");
        }
        return new DepthMap(p.width(), p.height(), p.region(0, 0, p.width(), p.height()));
    }

    /** Maps of equal size as one float image (2-D for one, 3-D stack for several), wrapping the arrays. */
    public static Img<FloatType> floatImg(List<float[]> planes, int width, int height) {
        if (planes.size() == 1) {
            return ArrayImgs.floats(planes.get(0), width, height);
        }
        float[] all = new float[planes.size() * width * height];
        for (int i = 0; i < planes.size(); i++) {
            System.arraycopy(planes.get(i), 0, all, i * width * height, width * height);
        }
        return ArrayImgs.floats(all, width, height, planes.size());
    }

    static int bitDepth(Object type) {
        if (type instanceof ARGBType) {
            return 24;
        }
        if (type instanceof UnsignedByteType || type instanceof ByteType) {
            return 8;
        }
        if (type instanceof UnsignedShortType || type instanceof ShortType) {
            return 16;
        }
        return 32;
    }

    /** A 2-D plane read through a cursor over the requested region. */
    private static final class Slice implements PixelSource {
        private final RandomAccessibleInterval<?> plane;
        private final boolean rgb;
        private final int bitDepth;

        Slice(RandomAccessibleInterval<?> plane, Object type) {
            this.plane = plane;
            this.rgb = type instanceof ARGBType;
            this.bitDepth = Imglib2Images.bitDepth(type);
        }

        @Override
        public int width() {
            return (int) plane.dimension(0);
        }

        @Override
        public int height() {
            return (int) plane.dimension(1);
        }

        @Override
        public int channels() {
            return rgb ? 3 : 1;
        }

        @Override
        public int bitDepth() {
            return bitDepth;
        }

        @Override
        public float[] region(int x, int y, int w, int h) {
            FinalInterval box = new FinalInterval(new long[] {x, y}, new long[] {x + w - 1L, y + h - 1L});
            Cursor<?> c = Views.flatIterable(Views.interval(plane, box)).cursor();
            float[] out = new float[channels() * w * h];
            int plane2 = w * h;
            for (int i = 0; c.hasNext(); i++) {
                Object v = c.next();
                if (rgb) {
                    int argb = ((ARGBType) v).get();
                    out[i] = ARGBType.red(argb);
                    out[plane2 + i] = ARGBType.green(argb);
                    out[2 * plane2 + i] = ARGBType.blue(argb);
                } else {
                    out[i] = ((RealType<?>) v).getRealFloat();
                }
            }
            return out;
        }
    }
}
