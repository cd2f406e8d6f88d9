package io.github.astfiji.fiji;

import ij.measure.ResultsTable;
import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.core.registry.TrainingSetup;
import io.github.astfiji.workflow.DatasetEvaluation;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** Train and evaluate one or several methods on a labelled MVTec-style data set; prints the metrics table. */
@Plugin(type = Command.class, headless = true, label = "Evaluate",
        description = "Train per category and method and report image/pixel AUROC, AUPRO and F1-max")
public class EvaluateCommand extends ProgressCommand {

    public static final String TABLE_TITLE = "Anomaly Detection Evaluation";

    @Parameter(label = "Data set folder (train/good, test/<type>, ground_truth/<type>)", style = "directory", persist = false)
    private File dataset_folder;

    @Parameter(label = "Methods (comma-separated ids; empty = the default)", required = false, persist = false)
    private String methods = "";

    @Parameter(label = "Input (depth needs the MVTec 3D-AD layout)", choices = {"rgb", "depth", "rgb+depth"}, persist = false)
    private String input = "rgb";

    @Parameter(label = "Preset (empty = each method's first)", required = false, persist = false)
    private String preset = "";

    @Parameter(label = "Backbone file (empty = built-in)", required = false, persist = false)
    private File backbone_file;

    @Parameter(label = "Epochs (0 = preset)", min = "0", persist = false)
    private int epochs = 0;

    @Parameter(label = "Write results.md/.csv to (optional)", style = "directory", required = false, persist = false)
    private File output_folder;

    @Parameter(type = ItemIO.OUTPUT)
    private String markdown;

    private ResultsTable table;

    @Override
    protected String title() {
        return "Evaluate";
    }

    @Override
    protected String work(FijiProgress progress) throws Exception {
        table = new ResultsTable();
        markdown = evaluate(dataset_folder, methods, input, preset, backbone_file, epochs, output_folder, table, progress);
        if (log != null) {
            log.info(markdown);
        }
        if (!GraphicsEnvironment.isHeadless()) {
            table.show(TABLE_TITLE);
        }
        return "done";
    }

    public ResultsTable table() {
        return table;
    }

    public static String evaluate(File dataset, String methods, String input, String preset, File backbone, int epochs, File outFolder,
                                  ResultsTable table, FijiProgress progress) throws Exception {
        if (dataset == null) {
            throw new IllegalArgumentException("choose a data set folder");
        }
        String bb = Inputs.given(backbone) == null ? null : backbone.getPath();
        List<DatasetEvaluation.Run> runs = new ArrayList<>();
        TrainingSetup setup = new TrainingSetup();
        setup.preset = preset;
        setup.epochs = epochs;
        setup.input = input;
        for (String id : (methods == null || methods.isBlank() ? Methods.defaultMethod().id() : methods).split(",")) {
            Method method = Methods.get(id);
            runs.add(new DatasetEvaluation.Run(method, setup.config(method), bb));
        }
        List<Evaluation.Row> rows = DatasetEvaluation.run(dataset.toPath(), runs, null, false, progress);
        for (Evaluation.Row r : rows) {
            table.incrementCounter();
            table.addValue("method", r.method);
            table.addValue("category", r.category);
            table.addValue("normal_images", r.normalImages);
            table.addValue("defect_images", r.defectImages);
            table.addValue("image_auroc", r.imageAuroc);
            table.addValue("image_auroc_max", r.imageAurocMax);
            table.addValue("image_auroc_score", r.imageAurocScore);
            table.addValue("pixel_auroc", r.pixelAuroc);
            table.addValue("aupro", r.aupro);
            table.addValue("f1_max", r.f1Max);
            table.addValue("missed_at_5pct_false_alarms", r.missedAtFivePercent);
            table.addValue("train_seconds", r.trainSeconds);
            table.addValue("ms_per_image", r.msPerImage);
            table.addValue("peak_memory_mb", r.peakMemoryMb);
            table.addValue("notes", r.notes);
        }
        if (Inputs.given(outFolder) != null) {
            List<java.nio.file.Path> pictures = DatasetEvaluation.write(rows, outFolder.toPath(), false);
            if (!GraphicsEnvironment.isHeadless() && !ij.macro.Interpreter.isBatchMode()) {
                for (java.nio.file.Path p : pictures) {
                    ij.ImagePlus imp = ij.IJ.openImage(p.toString());
                    if (imp != null) {
                        imp.show();
                    }
                }
            }
        } else if (!GraphicsEnvironment.isHeadless() && !ij.macro.Interpreter.isBatchMode()) {
            for (Evaluation.Row r : rows) {
                if (!r.rocCurve.isEmpty()) {
                    io.github.astfiji.io.Plots.roc(r).show();
                    io.github.astfiji.io.Plots.histogram(r).show();
                }
                if (!r.proCurve.isEmpty()) {
                    io.github.astfiji.io.Plots.pro(r).show();
                }
            }
        }
        return DatasetEvaluation.markdown(rows);
    }
}
