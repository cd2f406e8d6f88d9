package io.github.astfiji.core.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metrics against values computed independently (scripts/fixtures/make_metric_fixture.py: scikit-learn
 * for AUROC and F1, a brute-force threshold sweep with scipy's labelling for AUPRO) and
 * against small cases worked out by hand, ties included.
 */
class MetricsTest {

    private static JsonObject fixture() throws Exception {
        try (InputStreamReader r = new InputStreamReader(MetricsTest.class.getResourceAsStream("/fixtures/metrics_fixture.json"),
                StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(r).getAsJsonObject();
        }
    }

    private static float[] floats(JsonArray a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = a.get(i).getAsFloat();
        }
        return f;
    }

    private static boolean[] bools(JsonArray a) {
        boolean[] b = new boolean[a.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = a.get(i).getAsInt() != 0;
        }
        return b;
    }

    @Test
    void imageMetricsMatchScikitLearn() throws Exception {
        JsonObject fx = fixture();
        float[] scores = floats(fx.getAsJsonArray("scores"));
        boolean[] labels = bools(fx.getAsJsonArray("labels"));
        assertEquals(fx.get("image_auroc").getAsDouble(), Auroc.of(scores, labels), 1e-9);
        assertEquals(fx.get("f1_max").getAsDouble(), F1Max.of(scores, labels).f1, 1e-9);
    }

    @Test
    void pixelMetricsMatchIndependentComputation() throws Exception {
        JsonObject fx = fixture();
        int size = fx.get("size").getAsInt();
        List<float[]> maps = new ArrayList<>();
        List<boolean[]> gts = new ArrayList<>();
        for (int i = 0; i < fx.getAsJsonArray("maps").size(); i++) {
            maps.add(floats(fx.getAsJsonArray("maps").get(i).getAsJsonArray()));
            gts.add(bools(fx.getAsJsonArray("gts").get(i).getAsJsonArray()));
        }
        int[] sizes = new int[maps.size()];
        Arrays.fill(sizes, size);
        assertEquals(fx.get("aupro_30").getAsDouble(), Aupro.of(maps, gts, sizes, sizes, 0.3), 1e-6);

        int regions = 0;
        for (boolean[] gt : gts) {
            regions += Arrays.stream(Regions.label(gt, size, size)).max().getAsInt();
        }
        assertEquals(fx.get("regions").getAsInt(), regions, "8-connected regions");

        float[] all = new float[maps.size() * size * size];
        boolean[] truth = new boolean[all.length];
        for (int i = 0; i < maps.size(); i++) {
            System.arraycopy(maps.get(i), 0, all, i * size * size, size * size);
            System.arraycopy(gts.get(i), 0, truth, i * size * size, size * size);
        }
        assertEquals(fx.get("pixel_auroc").getAsDouble(), Auroc.of(all, truth), 1e-9);
    }

    @Test
    void f1MaxByHandWithTies() {
        // scores 0.9(d) 0.7(n) 0.7(d) 0.2(n): at >=0.9: P=1 R=.5 F1=.667; at >=0.7: P=2/3 R=1 F1=.8; at >=0.2: P=.5 R=1 F1=.667
        F1Max r = F1Max.of(new float[] {0.9f, 0.7f, 0.7f, 0.2f}, new boolean[] {true, false, true, false});
        assertEquals(0.8, r.f1, 1e-12);
        assertEquals(0.45f, r.threshold, 1e-6f, "halfway between 0.7 and the next lower score");
        assertTrue(Double.isNaN(F1Max.of(new float[] {1f}, new boolean[] {false}).f1));
    }

    @Test
    void auproByHand() {
        // one image, 1 x 4 pixels: a one-pixel region scored 0.8, defect-free pixels 0.9, 0.5, 0.1
        List<float[]> maps = List.of(new float[] {0.9f, 0.8f, 0.5f, 0.1f});
        List<boolean[]> gts = List.of(new boolean[] {false, true, false, false});
        // curve: (0,0) -> t=.9 (1/3, 0) -> the 0.3 limit comes first, with PRO 0 there: area 0
        assertEquals(0.0, Aupro.of(maps, gts, new int[] {4}, new int[] {1}, 0.3), 1e-12);
        // with the limit at 2/3: (1/3,0) -> (1/3,1) -> (2/3,1): area 1/3, normalised 0.5
        assertEquals(0.5, Aupro.of(maps, gts, new int[] {4}, new int[] {1}, 2.0 / 3), 1e-9);
        // a perfect map scores 1
        assertEquals(1.0, Aupro.of(List.of(new float[] {0f, 1f, 0f, 0f}), gts, new int[] {4}, new int[] {1}, 0.3), 1e-12);
        // a tie between the region and a defect-free pixel is one step: linear between the points
        List<float[]> tie = List.of(new float[] {0.1f, 0.5f, 0.5f, 0.1f});
        // negatives 3: t=.5 -> (1/3, 1); limit 0.3 on the line from (0,0): PRO 0.9 -> area .3*.9/2 -> normalised 0.45
        assertEquals(0.45, Aupro.of(tie, gts, new int[] {4}, new int[] {1}, 0.3), 1e-9);
    }

    @Test
    void regionsAreEightConnected() {
        boolean[] m = {
            true, false, false,
            false, true, false,
            false, false, false};
        assertEquals(1, Arrays.stream(Regions.label(m, 3, 3)).max().getAsInt());
        boolean[] two = {true, false, true};
        assertEquals(2, Arrays.stream(Regions.label(two, 3, 1)).max().getAsInt());
    }

    @Test
    void missesAtFivePercentFalseAlarmsAllowOneNormalInTwentyAboveTheThreshold() {
        float[] normal = new float[20];
        for (int i = 0; i < 20; i++) {
            normal[i] = i; // 0 .. 19: one false alarm (19) allowed, so the threshold is 18
        }
        float[] defects = {18f, 18.5f, 25f, 3f};
        // 18 (tied with the threshold: not above it) and 3 are missed
        assertEquals(0.5, Evaluation.missedAt(normal, defects, 0.05), 1e-12);
        // with 19 normals, 5 % allows none: the threshold is the highest normal score (18)
        assertEquals(0.5, Evaluation.missedAt(Arrays.copyOf(normal, 19), defects, 0.05), 1e-12);
        // with no false alarm allowed over 20, 18.5 is missed too
        assertEquals(0.75, Evaluation.missedAt(normal, defects, 0.0), 1e-12);
    }
}
