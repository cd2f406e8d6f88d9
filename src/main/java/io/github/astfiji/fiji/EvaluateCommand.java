package io.github.astfiji.fiji;

import ij.measure.ResultsTable;
import io.github.astfiji.core.InputMode;
import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.ast.Preset;
import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.io.DatasetEvaluation;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.List;

/** Train and evaluate on a labelled MVTec-style data set; prints the metrics table. */
@Plugin(type = Command.class, headless = true, label = "Evaluate",
        description = "Train per category and report image/pixel AUROC for AST and the teacher-only baseline")
public class EvaluateCommand extends ProgressCommand {

    public static final String TABLE_TITLE = "Anomaly Detection Evaluation";

    @Parameter(label = "Data set folder (train/good, test/<type>, ground_truth/<type>)", style = "directory", persist = false)
    private File dataset_folder;

    @Parameter(label = "Input (depth needs the MVTec 3D-AD layout)", choices = {"rgb", "depth", "rgb+depth"}, persist = false)
    private String input = "rgb";

    @Parameter(label = "Preset", choices = {"cpu", "paper-2d", "paper-3d"})
    private String preset = "cpu";

    @Parameter(label = "Backbone file (empty = built-in)", required = false, persist = false)
    private File backbone_file;

    @Parameter(label = "Epochs per phase (0 = preset)", min = "0")
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
        markdown = evaluate(dataset_folder, input, preset, backbone_file, epochs, output_folder, table, progress);
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

    public static String evaluate(File dataset, String input, String preset, File backbone, int epochs, File outFolder,
                                  ResultsTable table, FijiProgress progress) throws Exception {
        if (dataset == null) {
            throw new IllegalArgumentException("choose a data set folder");
        }
        AstConfig config = Preset.fromName(preset).config(epochs, 0);
        config.input = InputMode.parse(input == null ? "rgb" : input);
        String bb = Inputs.given(backbone) == null ? null : backbone.getPath();
        List<Evaluation.Row> rows = DatasetEvaluation.run(dataset.toPath(), config, bb, null, false, progress);
        for (Evaluation.Row r : rows) {
            table.incrementCounter();
            table.addValue("category", r.category);
            table.addValue("normal_images", r.normalImages);
            table.addValue("defect_images", r.defectImages);
            table.addValue("ast_image_auroc", r.imageAuroc);
            table.addValue("ast_image_auroc_max", r.imageAurocMax);
            table.addValue("ast_pixel_auroc", r.pixelAuroc);
            table.addValue("ast_aupro", r.aupro);
            table.addValue("ast_f1_max", r.f1Max);
            table.addValue("teacher_image_auroc", r.nllImageAuroc);
            table.addValue("teacher_image_auroc_max", r.nllImageAurocMax);
            table.addValue("teacher_pixel_auroc", r.nllPixelAuroc);
            table.addValue("teacher_aupro", r.nllAupro);
            table.addValue("notes", r.notes);
        }
        if (Inputs.given(outFolder) != null) {
            DatasetEvaluation.write(rows, outFolder.toPath(), false);
        }
        return DatasetEvaluation.markdown(rows);
    }
}
