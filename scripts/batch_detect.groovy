#@ File (label = "Model file (.ast)", style = "open") model_file
#@ File (label = "Folder of images", style = "directory") input_folder
#@ File (label = "Output folder", style = "directory") output_folder
#@ Boolean (label = "Resume a stopped batch", value = false) resume
#@ CommandService command
#@output String summary

// Batch anomaly detection with AST for Fiji (Groovy, Fiji's Script Editor or headless): runs
// Detect Anomalies' own folder mode, so the results are those of the dialog and the command
// line: per image a 32-bit heat map (*_heatmap.tif), a colour map and an overlay (PNG), and one
// scores.csv (columns in README, "scores.csv"). The model is loaded once. A file that cannot
// be read or scored gets a row with its error and the batch goes on; existing results are
// never replaced (tick resume to continue a stopped batch).

import io.github.astfiji.fiji.DetectAnomaliesCommand

def module = command.run(DetectAnomaliesCommand, false,
        "model_file", model_file, "input_folder", input_folder, "output_folder", output_folder,
        "add_to_roi_manager", false, "resume", resume).get()
if (module.isCanceled()) {
    throw new IllegalStateException(module.getCancelReason())
}
def table = module.getOutput("results_table")   // the same rows as scores.csv, as an ImageJ ResultsTable
summary = module.getOutput("summary") + " (" + table.size() + " rows)"
println(summary)
