#@ File (label = "Model file (.ast)", style = "open") model_file
#@ File (label = "Folder of images", style = "directory") input_folder
#@ File (label = "Output folder", style = "directory") output_folder
#@ CommandService command
#@output String summary

// Batch anomaly detection with AST for Fiji (Groovy, Fiji's Script Editor or headless):
// detects on every image in input_folder, saves a 32-bit anomaly map (TIFF) and the image
// with the regions drawn on it (PNG) per image, and one scores.csv for the whole folder.
// A file that cannot be read or scored gets a row with its error and the batch goes on.
// Existing result files are never replaced: choose an empty output folder.

import ij.IJ
import ij.io.FileSaver
import io.github.astfiji.fiji.DetectAnomaliesCommand

def extensions = [".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp"]
def images = input_folder.listFiles().findAll { f -> f.isFile() && extensions.any { f.name.toLowerCase().endsWith(it) } }.sort()
if (images.isEmpty()) {
    throw new IllegalArgumentException("no images in " + input_folder)
}
def csvFile = new File(output_folder, "scores.csv")
if (csvFile.exists()) {
    throw new IllegalStateException(csvFile.toString() + " already exists; choose an empty output folder")
}
def csv = new StringBuilder("image,score,normalised_score,verdict,regions,region_area_px,error\n")
int failed = 0
images.each { f ->
    def stem = f.name.replaceFirst(/\.[^.]+$/, "")
    def mapFile = new File(output_folder, stem + "_anomaly_map.tif")
    def overlayFile = new File(output_folder, stem + "_overlay.png")
    try {
        [mapFile, overlayFile].each { if (it.exists()) throw new IllegalStateException(it.toString() + " already exists; choose an empty output folder") }
        def imp = IJ.openImage(f.absolutePath)
        if (imp == null) {
            throw new IllegalArgumentException("not an image ImageJ can read (damaged, or another format)")
        }
        def module = command.run(DetectAnomaliesCommand, false,
                "model_file", model_file, "image", imp, "add_to_roi_manager", false).get()
        if (module.isCanceled()) {
            throw new IllegalArgumentException(module.getCancelReason())
        }
        IJ.saveAsTiff(module.getOutput("anomaly_map"), mapFile.absolutePath)
        new FileSaver(imp.flatten()).saveAsPng(overlayFile.absolutePath)
        def table = module.getDelegateObject().results()
        for (int row = 0; row < table.size(); row++) {
            csv << [f.name, table.getValue("score", row), table.getValue("normalised_score", row),
                    table.getStringValue("verdict", row), (int) table.getValue("regions", row),
                    (int) table.getValue("region_area_px", row), ""].join(",") << "\n"
        }
        imp.close()
    } catch (Exception e) {
        failed++
        def why = (e.message ?: e.toString()).replace("\"", "'")
        System.err.println("Skipped " + f + ": " + why)
        csv << [f.name, "", "", "error", "", "", "\"" + why + "\""].join(",") << "\n"
    }
}
csvFile.text = csv.toString()
summary = (images.size() - failed) + " images scored" + (failed > 0 ? ", " + failed + " could not be scored (error column)" : "") +
        "; results in " + output_folder
println summary
