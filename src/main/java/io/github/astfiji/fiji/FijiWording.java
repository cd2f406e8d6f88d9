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
        OPTIONS.put("--overwrite", "tick Overwrite in the dialog");
        OPTIONS.put("--resume", "tick Resume in the Detect Anomalies dialog");
        OPTIONS.put("--backbone", "the Backbone choice or Backbone file in the dialog");
        OPTIONS.put("--calibration-folds", "Calibration folds in the Train AST dialog");
        OPTIONS.put("--threads", "Threads in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--device", "Device in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--weights-dir", "Weights folder in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--offline", "Never download in Plugins > Anomaly Detection > Anomaly Detection Options");
        OPTIONS.put("--depth", "the Depth folder or Depth image in the dialog");
        OPTIONS.put("--input", "Input in the dialog");
        OPTIONS.put("--sizing", "sizing (a setting of the method)");
        OPTIONS.put("--validation", "validation images (command line only)");
        OPTIONS.put("--model", "Model file in the dialog");
        OPTIONS.put("--epochs", "Epochs in the dialog");
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
