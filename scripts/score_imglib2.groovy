#@ File (label = "Model file (.ast)", style = "open") model_file
#@ net.imglib2.img.Img image
#@ CommandService command
#@output net.imglib2.img.Img anomaly_map
#@output String summary

// Score an ImageJ2 (imglib2) image with AST for Fiji: in Fiji's Script Editor the open
// image is passed in as `image` (2-D, a 3-D stack of slices, or ARGB colour); the anomaly
// map comes back as a 32-bit imglib2 image of the same size (a stack for a stack), and
// the summary names the verdict of each slice.

import io.github.astfiji.fiji.DetectAnomaliesCommand

def module = command.run(DetectAnomaliesCommand, false, "model_file", model_file, "img", image, "add_to_roi_manager", false).get()
if (module.isCanceled()) {
    throw new IllegalArgumentException(module.getCancelReason())
}
anomaly_map = module.getOutput("anomaly_map_img")
def table = module.getDelegateObject().results()
def verdicts = (0..<table.size()).collect { table.getStringValue("verdict", it) + " (" + String.format("%.3f", table.getValue("score", it)) + ")" }
summary = "slices: " + verdicts.join(", ")
println summary
