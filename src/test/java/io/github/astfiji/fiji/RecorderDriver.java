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
        startWatchdog(240);
        int status = 0;
        try {
            if (args[0].equals("train")) {
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

    /** Records Train AST with a method picked in the dialog, then replays the recorded line. */
    static void train(String method, String folder, File model) throws Exception {
        new ImageJ(ImageJ.NO_SHOW);
        Recorder recorder = new Recorder();
        Thread user = new Thread(() -> {
            GenericDialog gd = waitForDialog("Train AST");
            ((java.awt.Choice) gd.getChoices().get(0)).select(method);
            // string fields in dialog order: training_folder, depth_folder, backbone_file, model_file
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
                try {
                    java.lang.reflect.Field lines = ij.gui.MultiLineLabel.class.getDeclaredField("lines");
                    lines.setAccessible(true);
                    text.append(String.join(" / ", (String[]) lines.get(child))).append(' ');
                } catch (ReflectiveOperationException e) {
                    text.append("(message unreadable) ");
                }
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
        // string fields in dialog order: model_file, input_folder, depth_folder, output_folder, backbone_file
        java.util.Vector<?> fields = gd.getStringFields();
        ((TextField) fields.get(0)).setText(model);
        ((TextField) fields.get(1)).setText(input);
        ((TextField) fields.get(3)).setText(out);
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
