package io.github.astfiji.core.ast;

/**
 * 2-D sinusoidal positional encoding (Vaswani et al. 2017, extended to two axes):
 * the first half of the channels encodes the column, the second half the row, each
 * as interleaved sin/cos pairs over geometrically spaced frequencies.
 */
public final class PositionalEncoding {

    private PositionalEncoding() {
    }

    /** Returns a (channels, height, width) array, channel-major. channels must be a multiple of 4. */
    public static float[] encode(int channels, int height, int width) {
        if (channels <= 0 || channels % 4 != 0) {
            throw new IllegalArgumentException("positional encoding needs a positive multiple of 4 channels, got " + channels);
        }
        int half = channels / 2;
        float[] pe = new float[channels * height * width];
        for (int pair = 0; pair < half / 2; pair++) {
            // frequency 10000^(-2*pair/half), the standard transformer spacing
            double freq = Math.exp(-(2.0 * pair) * Math.log(10000.0) / half);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int px = y * width + x;
                    pe[(2 * pair) * height * width + px] = (float) Math.sin(x * freq);
                    pe[(2 * pair + 1) * height * width + px] = (float) Math.cos(x * freq);
                    pe[(half + 2 * pair) * height * width + px] = (float) Math.sin(y * freq);
                    pe[(half + 2 * pair + 1) * height * width + px] = (float) Math.cos(y * freq);
                }
            }
        }
        return pe;
    }
}
