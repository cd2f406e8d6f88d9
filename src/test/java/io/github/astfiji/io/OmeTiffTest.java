package io.github.astfiji.io;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An OME-TIFF as a microscope writes it (pages in its own order, OME-XML in the first page) reads with its channels, planes and pixel size. */
class OmeTiffTest {

    /** The value every pixel of a page has: which channel, plane and time point it is. */
    static int value(int c, int z, int t) {
        return 1000 * (c + 1) + 100 * (z + 1) + 10 * (t + 1);
    }

    /**
     * A minimal uncompressed 16-bit OME-TIFF written here, so the test needs no other
     * writer: pages in XYZCT order (z fastest), the OME-XML as the first page's description.
     */
    static void write(Path file, int w, int h, int channels, int slices, int frames, double micrometresPerPixel) throws Exception {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">"
                + "<Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"XYZCT\" Type=\"uint16\" SizeX=\"" + w + "\" SizeY=\"" + h
                + "\" SizeC=\"" + channels + "\" SizeZ=\"" + slices + "\" SizeT=\"" + frames + "\" PhysicalSizeX=\"" + micrometresPerPixel
                + "\" PhysicalSizeY=\"" + micrometresPerPixel + "\"><TiffData/></Pixels></Image></OME>";
        byte[] description = (xml + "\0").getBytes(StandardCharsets.UTF_8);
        int pages = channels * slices * frames;
        int pageBytes = w * h * 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        header.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8 + description.length + pages * pageBytes);
        out.write(header.array());
        out.write(description);
        for (int t = 0; t < frames; t++) {
            for (int c = 0; c < channels; c++) {
                for (int z = 0; z < slices; z++) {
                    ByteBuffer page = ByteBuffer.allocate(pageBytes).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < w * h; i++) {
                        page.putShort((short) value(c, z, t));
                    }
                    out.write(page.array());
                }
            }
        }
        int ifdStart = 8 + description.length + pages * pageBytes;
        int entries = 10;
        int ifdBytes = 2 + entries * 12 + 4;
        for (int p = 0; p < pages; p++) {
            ByteBuffer ifd = ByteBuffer.allocate(ifdBytes).order(ByteOrder.LITTLE_ENDIAN);
            ifd.putShort((short) entries);
            entry(ifd, 256, 3, 1, w);
            entry(ifd, 257, 3, 1, h);
            entry(ifd, 258, 3, 1, 16);
            entry(ifd, 259, 3, 1, 1);
            entry(ifd, 262, 3, 1, 1);
            entry(ifd, 270, 2, p == 0 ? description.length : 1, p == 0 ? 8 : 0); // description on the first page only
            entry(ifd, 273, 4, 1, 8 + description.length + p * pageBytes);
            entry(ifd, 277, 3, 1, 1);
            entry(ifd, 278, 3, 1, h);
            entry(ifd, 279, 4, 1, pageBytes);
            ifd.putInt(p == pages - 1 ? 0 : ifdStart + (p + 1) * ifdBytes);
            out.write(ifd.array());
        }
        Files.write(file, out.toByteArray());
    }

    private static void entry(ByteBuffer b, int tag, int type, int count, int value) {
        b.putShort((short) tag).putShort((short) type).putInt(count);
        if (type == 3 && count == 1) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt(value);
        }
    }

    @Test
    void pagesTakeImageJsOrderWithDimensionsAndPixelSize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cells.ome.tif");
        write(file, 16, 12, 2, 3, 2, 0.25);
        ImagePlus imp = ImageFiles.open(file);
        assertEquals(2, imp.getNChannels());
        assertEquals(3, imp.getNSlices());
        assertEquals(2, imp.getNFrames());
        assertTrue(imp.isComposite());
        assertEquals(0.25, Planes.pixelSize(imp), 1e-9);
        for (int t = 0; t < 2; t++) {
            for (int z = 0; z < 3; z++) {
                for (int c = 0; c < 2; c++) {
                    int index = imp.getStackIndex(c + 1, z + 1, t + 1);
                    assertEquals(value(c, z, t), imp.getStack().getProcessor(index).get(5, 5), "c" + c + " z" + z + " t" + t);
                }
            }
        }
        // and the command line's sources: one per plane, each with both channels
        var sources = ImageFiles.sources(java.util.List.of(file));
        assertEquals(6, sources.size());
        assertEquals(file + " [z=2 t=1]", sources.get(1).name());
        var plane = sources.get(1).load();
        assertEquals(2, plane.channels());
        assertEquals(value(1, 1, 0), plane.get(1, 5, 5), 0);
        assertEquals(0.25, sources.get(1).pixelSize(), 1e-9);
    }

    /** Inside Fiji a folder lists microscopes' formats and hands them to ImageJ's opener; one it cannot read is named with what to do. */
    @Test
    void microscopyFormatsGoToFijisOpenerWithAClearMessage(@TempDir Path dir) throws Exception {
        Path czi = dir.resolve("sample.czi");
        Files.write(czi, new byte[] {'Z', 'I', 'S', 'R', 'A', 'W', 0, 0});
        Files.write(dir.resolve("a.png"), new byte[0]);
        try {
            ImageFiles.openWhatImageJOpens(false);
            assertEquals(java.util.List.of(dir.resolve("a.png")), ImageFiles.list(dir, false));
            ImageFiles.openWhatImageJOpens(true);
            assertEquals(java.util.List.of(dir.resolve("a.png"), czi), ImageFiles.list(dir, false));
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> ImageFiles.open(czi));
            // here, without Bio-Formats, ImageJ's opener cannot read it
            assertTrue(e.getMessage().contains("sample.czi") && e.getMessage().contains("Bio-Formats") && e.getMessage().contains("OME-TIFF"),
                    e.getMessage());
        } finally {
            ImageFiles.openWhatImageJOpens(false);
        }
    }
}
