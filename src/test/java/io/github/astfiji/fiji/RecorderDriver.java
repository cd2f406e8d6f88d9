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
 * Recorder, runs Plugins > Anomaly Detection > Detect Anomalies as a menu click does,
 * fills and OKs its dialog like a user, prints what the Recorder wrote, deletes the
 * results and replays the recorded line as a macro. Only ImageJ classes are used here:
 * the plugin comes from the plugins folder, as for a user.
 * Arguments: model file, input folder, output folder.
 */
public final class RecorderDriver {

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String input = args[1];
        File out = new File(args[2]);
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
        System.exit(0);
    }

    /** Waits for the dialog, types the paths, ticks overwrite, clears the ROI Manager box, presses OK. */
    static void fillDialog(String title, String model, String input, String out) {
        GenericDialog gd = null;
        long end = System.currentTimeMillis() + 120_000;
        while (gd == null && System.currentTimeMillis() < end) {
            for (Window w : Window.getWindows()) {
                if (w instanceof GenericDialog && w.isShowing() && title.equals(((GenericDialog) w).getTitle())) {
                    gd = (GenericDialog) w;
                }
            }
            sleep(200);
        }
        if (gd == null) {
            System.out.println("NO DIALOG");
            System.exit(2);
        }
        // string fields in dialog order: model_file, input_folder, depth_folder, output_folder, backbone_file
        java.util.Vector<?> fields = gd.getStringFields();
        ((TextField) fields.get(0)).setText(model);
        ((TextField) fields.get(1)).setText(input);
        ((TextField) fields.get(3)).setText(out);
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
