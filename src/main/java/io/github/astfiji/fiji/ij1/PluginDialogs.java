package io.github.astfiji.fiji.ij1;

import ij.IJ;
import ij.Prefs;

import java.io.File;
import java.util.concurrent.CancellationException;

/** Helpers shared by the ImageJ 1 menu plugins. */
final class PluginDialogs {

    private PluginDialogs() {
    }

    /** A GenericDialog text value as a file, or null when empty. */
    static File file(String s) {
        return s == null || s.trim().isEmpty() ? null : new File(s.trim());
    }

    /** Remembers folder-type settings between runs (not per-run files such as outputs). */
    static String remembered(String key) {
        return Prefs.get("ast_fiji." + key, "");
    }

    static void remember(String key, String value) {
        Prefs.set("ast_fiji." + key, value == null ? "" : value);
    }

    /**
     * Whether the dialog is shown to a person: a macro's values are checked against the
     * dialog as built, so listeners that change lists or enable fields stay out of macros.
     */
    static boolean interactive(ij.gui.GenericDialog gd) {
        return gd.getChoices() != null && !java.awt.GraphicsEnvironment.isHeadless() && ij.Macro.getOptions() == null;
    }

    /** Enables the fields while the choice's item passes the test, and keeps them so as it changes. */
    static void enableWhen(java.awt.Choice choice, java.util.function.Predicate<String> test, java.awt.Component... fields) {
        Runnable update = () -> {
            boolean on = test.test(choice.getSelectedItem());
            for (java.awt.Component f : fields) {
                f.setEnabled(on);
            }
        };
        update.run();
        choice.addItemListener(e -> update.run());
    }

    /** Reports a failure in a dialog (or the log in batch mode); never throws into ImageJ. */
    static void report(String title, Throwable e) {
        if (e instanceof CancellationException) {
            IJ.showStatus(title + ": cancelled");
            return;
        }
        String msg = io.github.astfiji.fiji.FijiWording.translate(e.getMessage() == null ? e.toString() : e.getMessage());
        if (IJ.getInstance() == null || ij.macro.Interpreter.isBatchMode()) {
            IJ.log(title + ": " + msg);
        } else {
            IJ.error(title, msg);
        }
        // a macro that called us must stop rather than carry on with missing results
        ij.macro.Interpreter macro = ij.macro.Interpreter.getInstance();
        if (macro != null) {
            ij.macro.Interpreter.abort(macro);
        }
    }
}
