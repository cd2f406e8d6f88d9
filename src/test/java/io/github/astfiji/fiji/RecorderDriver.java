package io.github.astfiji.fiji;

import ij.Executer;
import ij.IJ;
import ij.ImageJ;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

import java.awt.Checkbox;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.io.File;
import java.util.List;

/**
 * Runs inside a real ImageJ 1 under Xvfb (started by ImageJMacroIT): opens the Macro
 * Recorder, runs Plugins > Anomaly Detection > Detect Anomalies (or Train AST) as a menu
 * click does, fills and OKs its dialog like a user, prints what the Recorder wrote,
 * deletes the results and replays the recorded line as a macro. Only ImageJ classes are
 * used here: the plugin comes from the plugins folder, as for a user.
 * Arguments: model file, input folder, output folder; or "train", method, training
 * folder, model file to write.
 */
public final class RecorderDriver {

    /** Always exits: ImageJ's AWT threads would otherwise keep a failed run alive forever. */
    public static void main(String[] args) {
        startWatchdog(args[0].equals("readme") ? 1500 : 240);
        int status = 0;
        try {
            if (args[0].equals("labels")) {
                labels();
            } else if (args[0].equals("readme")) {
                readme(new File(args[1]));
            } else if (args[0].equals("train")) {
                train(args[1], args[2], new File(args[3]));
            } else {
                detect(args[0], args[1], new File(args[2]));
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            status = 3;
        }
        System.out.flush();
        System.exit(status);
    }

    static void detect(String model, String input, File out) throws Exception {
        new ImageJ(ImageJ.NO_SHOW);
        Recorder recorder = new Recorder();
        Thread user = new Thread(() -> fillDialog("Detect Anomalies", model, input, out.getPath()));
        user.start();
        new Executer("Detect Anomalies", null);
        File csv = new File(out, "scores.csv");
        String line = waitForRecording(recorder, "run(\"Detect Anomalies\"", 120);
        long end = System.currentTimeMillis() + 60_000;
        while (!csv.exists() && System.currentTimeMillis() < end) {
            Thread.sleep(200);
        }
        System.out.println("RECORDED: " + line);
        System.out.println("FIRST RUN CSV: " + csv.exists());
        if (!csv.delete()) {
            throw new IllegalStateException("the recorded run wrote no " + csv);
        }
        IJ.runMacro(line);
        System.out.println("REPLAYED CSV: " + csv.exists() + " " + (csv.exists() ? java.nio.file.Files.readAllLines(csv.toPath()).size() : 0));
    }

    /**
     * The README's macro lines, recorded from the dialogs with every field left at its default
     * except the files (scripts/docs/recorded_macros.sh): below root, data/normal holds normal
     * images and data/new images to score. Prints one "README: line" each.
     */
    static void readme(File root) throws Exception {
        new ImageJ(ImageJ.NO_SHOW);
        File data = new File(root, "data");
        File model = new File(data, "part.ast");
        File rdModel = new File(data, "part-rd.ast");
        File results = new File(data, "results");
        Recorder recorder = new Recorder();
        String[] methods = {"ast", "rd"};
        File[] models = {model, rdModel};
        for (int i = 0; i < methods.length; i++) {
            String method = methods[i];
            File out = models[i];
            recordMenuRun(recorder, "Train AST", gd -> {
                ((java.awt.Choice) gd.getChoices().get(0)).select(method);
                ((TextField) gd.getStringFields().get(0)).setText(new File(data, "normal").getPath());
                ((TextField) gd.getStringFields().get(3)).setText(out.getPath()); // the model file
            });
        }
        for (boolean overwrite : new boolean[] {false, true}) {
            recordMenuRun(recorder, "Detect Anomalies", gd -> {
                ((TextField) gd.getStringFields().get(0)).setText(model.getPath());
                ((TextField) gd.getStringFields().get(1)).setText(new File(data, "new").getPath());
                ((TextField) gd.getStringFields().get(2)).setText(results.getPath());
                ((Checkbox) gd.getCheckboxes().get(1)).setState(overwrite);
            });
        }
    }

    /** Runs a menu entry, fills its dialog, presses OK and prints the line the Recorder wrote once the run ended. */
    static void recordMenuRun(Recorder recorder, String entry, java.util.function.Consumer<GenericDialog> fill) throws Exception {
        String prefix = "run(\"" + entry + "\"";
        long before = recorder.getText().lines().filter(l -> l.startsWith(prefix)).count();
        Thread user = new Thread(() -> {
            GenericDialog gd = waitForDialog(entry);
            fill.accept(gd);
            gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK"));
        });
        user.start();
        new Executer(entry, null);
        long end = System.currentTimeMillis() + 600_000;
        while (System.currentTimeMillis() < end) {
            // the Recorder writes the line once the run has ended
            List<String> recorded = recorder.getText().lines().filter(l -> l.startsWith(prefix)).toList();
            if (recorded.size() > before) {
                System.out.println("README: " + recorded.get(recorded.size() - 1));
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("nothing recorded for " + entry + "; log: " + IJ.getLog());
    }

    /**
     * Opens each menu entry's dialog as a click does and prints every text a user reads on it
     * (field labels, check boxes, messages), one "LABEL: title | text" line each, then cancels.
     */
    static void labels() throws Exception {
        new ImageJ(ImageJ.NO_SHOW);
        for (String entry : new String[] {"Train AST", "Detect Anomalies", "Evaluate", "Anomaly Detection Options"}) {
            Thread user = new Thread(() -> {
                GenericDialog gd = waitForAnyDialog();
                printTexts(gd.getTitle(), gd);
                gd.actionPerformed(new ActionEvent(gd.getButtons()[1], ActionEvent.ACTION_PERFORMED, "Cancel"));
            });
            user.start();
            new Executer(entry, null);
            user.join(60_000);
            System.out.println("DIALOG DONE: " + entry);
        }
    }

    static void printTexts(String title, java.awt.Container c) {
        for (java.awt.Component child : c.getComponents()) {
            if (child instanceof java.awt.Label) {
                System.out.println("LABEL: " + title + " | " + ((java.awt.Label) child).getText().trim());
            } else if (child instanceof Checkbox) {
                System.out.println("LABEL: " + title + " | " + ((Checkbox) child).getLabel().trim());
            } else if (child instanceof ij.gui.MultiLineLabel) {
                System.out.println("LABEL: " + title + " | " + messageOf((ij.gui.MultiLineLabel) child));
            } else if (child instanceof java.awt.Container) {
                printTexts(title, (java.awt.Container) child);
            }
        }
    }

    static String messageOf(ij.gui.MultiLineLabel label) {
        try {
            java.lang.reflect.Field lines = ij.gui.MultiLineLabel.class.getDeclaredField("lines");
            lines.setAccessible(true);
            return String.join(" / ", (String[]) lines.get(label));
        } catch (ReflectiveOperationException e) {
            return "(message unreadable)";
        }
    }

    static GenericDialog waitForAnyDialog() {
        long end = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < end) {
            for (Window w : Window.getWindows()) {
                if (w instanceof GenericDialog && w.isShowing()) {
                    return (GenericDialog) w;
                }
            }
            sleep(200);
        }
        System.out.println("NO DIALOG");
        System.exit(2);
        return null;
    }

    /** Records Train AST with a method picked in the dialog, then replays the recorded line. */
    static void train(String method, String folder, File model) throws Exception {
        new ImageJ(ImageJ.NO_SHOW);
        Recorder recorder = new Recorder();
        Thread user = new Thread(() -> {
            GenericDialog gd = waitForDialog("Train AST");
            ((java.awt.Choice) gd.getChoices().get(0)).select(method);
            // string fields in dialog order: training folder, mask folder, backbone file, model file, depth folder
            java.util.Vector<?> fields = gd.getStringFields();
            ((TextField) fields.get(0)).setText(folder);
            ((TextField) fields.get(3)).setText(model.getPath());
            java.util.Vector<?> numbers = gd.getNumericFields();
            ((TextField) numbers.get(0)).setText("3");
            ((TextField) numbers.get(1)).setText("64");
            gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK"));
        });
        user.start();
        new Executer("Train AST", null);
        String line = waitForRecording(recorder, "run(\"Train AST\"", 120);
        long end = System.currentTimeMillis() + 120_000;
        while (!model.exists() && System.currentTimeMillis() < end) {
            Thread.sleep(200);
        }
        System.out.println("RECORDED: " + line);
        System.out.println("FIRST RUN MODEL: " + model.exists());
        // the first run is done once its score plot (written last) is there; the replay would
        // rightly refuse to overwrite either file, so both go
        File plot = new File(model.getParentFile(), model.getName().replaceFirst("\\.ast$", "") + "_scores.png");
        end = System.currentTimeMillis() + 60_000;
        while (!plot.exists() && System.currentTimeMillis() < end) {
            Thread.sleep(200);
        }
        Thread.sleep(500);
        if (!model.delete() || !plot.delete()) {
            throw new IllegalStateException("the recorded run wrote no " + model + " or no " + plot);
        }
        IJ.runMacro(line);
        System.out.println("REPLAYED MODEL: " + model.exists() + " " + model.length());
    }

    /** If the run stalls (a modal error dialog, say), shows what is on screen and in the Log, then exits. */
    static void startWatchdog(int seconds) {
        Thread dog = new Thread(() -> {
            sleep(seconds * 1000L);
            System.out.println("STALLED after " + seconds + " s; windows on screen:");
            for (Window w : Window.getWindows()) {
                if (w.isShowing()) {
                    System.out.println("  " + w.getClass().getSimpleName() + " " + (w instanceof java.awt.Dialog ? ((java.awt.Dialog) w).getTitle() : "")
                            + " " + describe(w));
                }
            }
            System.out.println("LOG: " + IJ.getLog());
            System.out.flush();
            Runtime.getRuntime().halt(4);
        });
        dog.setDaemon(true);
        dog.start();
    }

    /** The text of the labels in a window, where an error dialog keeps its message. */
    static String describe(java.awt.Container c) {
        StringBuilder text = new StringBuilder();
        for (java.awt.Component child : c.getComponents()) {
            if (child instanceof java.awt.Label) {
                text.append(((java.awt.Label) child).getText()).append(' ');
            } else if (child instanceof ij.gui.MultiLineLabel) {
                text.append(messageOf((ij.gui.MultiLineLabel) child)).append(' ');
            } else if (child instanceof java.awt.TextArea) {
                text.append(((java.awt.TextArea) child).getText()).append(' ');
            } else if (child instanceof java.awt.Container) {
                text.append(describe((java.awt.Container) child));
            }
        }
        return text.toString();
    }

    static GenericDialog waitForDialog(String title) {
        long end = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < end) {
            for (Window w : Window.getWindows()) {
                if (w instanceof GenericDialog && w.isShowing() && title.equals(((GenericDialog) w).getTitle())) {
                    return (GenericDialog) w;
                }
            }
            sleep(200);
        }
        System.out.println("NO DIALOG");
        System.exit(2);
        return null;
    }

    /** Waits for the dialog, types the paths, ticks overwrite, clears the ROI Manager box, presses OK. */
    static void fillDialog(String title, String model, String input, String out) {
        GenericDialog gd = waitForDialog(title);
        // string fields in dialog order: model file, input folder, output folder, mask folder, backbone file, depth folder
        java.util.Vector<?> fields = gd.getStringFields();
        ((TextField) fields.get(0)).setText(model);
        ((TextField) fields.get(1)).setText(input);
        ((TextField) fields.get(2)).setText(out);
        // the sensitivity: 20 expected false alarms per 100 normal parts
        ((TextField) gd.getNumericFields().get(0)).setText("20");
        java.util.Vector<?> boxes = gd.getCheckboxes();
        ((Checkbox) boxes.get(0)).setState(false);
        ((Checkbox) boxes.get(1)).setState(true);
        gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK"));
    }

    static String waitForRecording(Recorder recorder, String prefix, int seconds) throws InterruptedException {
        long end = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < end) {
            for (String l : recorder.getText().split("\n")) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            Thread.sleep(200);
        }
        System.out.println("RECORDER TEXT: " + recorder.getText());
        throw new IllegalStateException("nothing recorded for " + prefix);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
