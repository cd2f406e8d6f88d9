// Batch anomaly detection with AST for Fiji (ImageJ macro; Fiji or plain ImageJ 1).
// Runs Plugins > Anomaly Detection > Detect Anomalies on a whole folder (sub-folders
// included): per image a 32-bit anomaly map (<name>_heatmap.tif), a colour heat map and
// an overlay (PNG), and one scores.csv (score, verdict, regions above the pixel threshold,
// and an error column). A file that cannot be read is reported in the Log and in
// scores.csv, and every other image is still scored. Existing results are not replaced.
//
// Interactive: run it and answer the three dialogs. Command line:
//   ImageJ -batch batch_detect.ijm "/path/model.ast,/path/images/,/path/output/"

args = getArgument();
if (args == "") {
    model = File.openDialog("Model file (.ast)");
    input = getDirectory("Folder of images");
    output = getDirectory("Output folder");
} else {
    parts = split(args, ",");
    if (parts.length != 3) exit("Expected 'model,input_folder,output_folder', got: " + args);
    model = parts[0];
    input = parts[1];
    output = parts[2];
}
if (!File.exists(model)) exit("Model file not found: " + model + "; train one first (Plugins > Anomaly Detection > Train AST)");
if (!File.isDirectory(input)) exit("Input folder not found: " + input);
if (File.exists(output + File.separator + "scores.csv")) exit(output + " already holds a scores.csv; choose an empty output folder");

setBatchMode(true);
run("Detect Anomalies", "model_file=[" + model + "] input_folder=[" + input + "] output_folder=[" + output + "] backbone_file=[]");
csvPath = output + File.separator + "scores.csv";
if (!File.exists(csvPath)) exit("Detection did not run; see the Log for the reason");
lines = split(File.openAsString(csvPath), "\n");
scored = 0;
failed = 0;
for (i = 1; i < lines.length; i++) {
    if (lines[i] == "") continue;
    if (indexOf(lines[i], ",error,") >= 0) failed++;
    else scored++;
}
print("Anomaly detection: " + scored + " images scored, " + failed + " could not be read; results in " + output);
