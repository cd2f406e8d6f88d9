package io.github.astfiji.fiji;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Messages from the shared core say what to change in command-line terms (--overwrite,
 * --backbone, -Xmx); inside Fiji the same advice must name the dialog field or menu. One
 * place turns the one vocabulary into the other, so every Fiji error speaks Fiji.
 */
public final class FijiWording {

    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("--overwrite", "tick 'replace existing files' in the dialog");
        OPTIONS.put("--resume", "tick 'resume' in the Detect dialog");
        OPTIONS.put("--backbone", "the Backbone choice or backbone file in the dialog");
        OPTIONS.put("--calibration-folds", "the dialog's calibration folds");
        OPTIONS.put("--threads", "threads in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--device", "device in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--weights-dir", "weights_folder in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--offline", "never_download in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--depth", "the depth folder or depth image in the dialog");
        OPTIONS.put("--input", "the dialog's input mode");
        OPTIONS.put("--sizing", "sizing (a setting of the method)");
        OPTIONS.put("--validation", "validation images (command line only)");
        OPTIONS.put("--model", "the dialog's model file");
        OPTIONS.put("--epochs", "the dialog's epochs");
    }

    private static final Pattern FLAG = Pattern.compile("(?<![\\w/-])--[a-z][a-z-]*( [0-9a-z]+(?=[).,;]|$))?");
    private static final Pattern HEAP = Pattern.compile("(raise|increase|more)[^.;]*-Xmx[0-9a-zA-Z]*", Pattern.CASE_INSENSITIVE);

    private FijiWording() {
    }

    /** The message with command-line advice replaced by the dialog field or menu that does the same in Fiji. */
    public static String translate(String message) {
        if (message == null) {
            return null;
        }
        String m = HEAP.matcher(message).replaceAll("give Fiji more memory in Edit > Options > Memory & Threads");
        m = m.replace("-Xmx", "Edit > Options > Memory & Threads");
        Matcher f = FLAG.matcher(m);
        StringBuilder out = new StringBuilder();
        while (f.find()) {
            String flag = f.group().split(" ")[0];
            String words = OPTIONS.get(flag);
            String value = f.group(1) == null ? "" : " (" + f.group(1).trim() + ")";
            f.appendReplacement(out, Matcher.quoteReplacement(words == null ? f.group() : words + value));
        }
        f.appendTail(out);
        return out.toString();
    }
}
