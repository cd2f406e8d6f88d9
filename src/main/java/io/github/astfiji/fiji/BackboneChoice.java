package io.github.astfiji.fiji;

import java.io.File;

/**
 * The backbone choice of the Train dialogs, in words, and what each means. The labels are
 * constants because SciJava reads choices from annotations; BackboneChoiceTest keeps the
 * sizes in them equal to the pinned files'.
 */
public final class BackboneChoice {

    public static final String PRESET = "as the preset says (paper presets: the paper's network)";
    public static final String BUILTIN = "built-in (offline)";
    public static final String EFFICIENTNET_B5 = "EfficientNet-B5, ImageNet (122.5 MB, downloaded once)";
    public static final String WIDE_RESNET50_2 = "WideResNet-50-2, ImageNet (138.2 MB, downloaded once)";
    public static final String RESNET18 = "ResNet-18, ImageNet (46.8 MB, downloaded once)";
    static final String[] ALL = {PRESET, BUILTIN, EFFICIENTNET_B5, WIDE_RESNET50_2, RESNET18};

    private BackboneChoice() {
    }

    public static String[] all() {
        return ALL.clone();
    }

    /** What training is given: a file (it wins when there is one), a pretrained name, "builtin", or null (the preset's). */
    public static String spec(String choice, File file) {
        if (Inputs.given(file) != null) {
            return file.getPath();
        }
        if (choice == null || choice.isBlank() || choice.equals(PRESET)) {
            return null;
        }
        switch (choice) {
            case BUILTIN: return "builtin";
            case EFFICIENTNET_B5: return "efficientnet-b5";
            case WIDE_RESNET50_2: return "wide-resnet50-2";
            case RESNET18: return "resnet18";
            default:
                return choice; // a macro may name a backbone as the command line does
        }
    }
}
