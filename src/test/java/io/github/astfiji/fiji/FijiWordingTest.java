package io.github.astfiji.fiji;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fiji users read dialog fields and menus where the command line would say flags. */
class FijiWordingTest {

    @Test
    void flagsBecomeDialogFieldsAndMenus() {
        String m = FijiWording.translate("a file already exists there; choose another name or allow overwriting (--overwrite)");
        assertTrue(m.contains("tick Overwrite in the dialog") && !m.contains("--"), m);
        m = FijiWording.translate("absurd scores; lower the learning rate, or use --calibration-folds 0");
        assertTrue(m.contains("Calibration folds in the Train AST dialog (0)") && !m.contains("--"), m);
        m = FijiWording.translate("out of memory: raise the Java heap with -Xmx8g and try again");
        assertTrue(m.contains("Edit > Options > Memory & Threads") && !m.contains("Xmx"), m);
        m = FijiWording.translate("scores.csv exists: --resume to continue the batch, or --overwrite to start again");
        assertTrue(m.contains("tick Resume in the Detect Anomalies dialog") && m.contains("tick Overwrite"), m);
    }

    @Test
    void otherTextIsLeftAlone() {
        assertEquals("no images found in /data/a--b", FijiWording.translate("no images found in /data/a--b"));
        assertFalse(FijiWording.translate("use --unknown-flag").isEmpty());
    }
}
