package io.github.astfiji.fiji;

import io.github.astfiji.core.backbone.pretrained.PretrainedBackbones;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Train dialog's backbone labels say the true download sizes and lead to the catalogue's networks. */
class BackboneChoiceTest {

    @Test
    void labelsMatchTheCatalogue() {
        for (String choice : List.of(BackboneChoice.EFFICIENTNET_B5, BackboneChoice.WIDE_RESNET50_2, BackboneChoice.RESNET18)) {
            PretrainedBackbones.Entry e = PretrainedBackbones.byName(BackboneChoice.spec(choice, null));
            assertEquals(e.label(), choice, "label of " + e.name());
        }
        assertEquals(5, BackboneChoice.all().length);
    }

    @Test
    void aFileWinsAndThePresetDecidesByDefault() {
        assertNull(BackboneChoice.spec(BackboneChoice.PRESET, null));
        assertEquals("builtin", BackboneChoice.spec(BackboneChoice.BUILTIN, null));
        assertEquals("x.pt", BackboneChoice.spec(BackboneChoice.EFFICIENTNET_B5, new File("x.pt")));
        assertTrue(BackboneChoice.spec("resnet18", null).equals("resnet18"), "a macro may use the command line's names");
    }
}
