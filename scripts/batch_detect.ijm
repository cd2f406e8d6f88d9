// Batch anomaly detection with AST for Fiji (ImageJ macro; Fiji or plain ImageJ 1).
// Detects on every image of a folder with Plugins > Anomaly Detection > Detect Anomalies,
// saves per image the 32-bit anomaly map (TIFF) and the image with its regions burnt in
// (PNG), and writes one scores.csv. Existing result files are never replaced.
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
if (!endsWith(input, File.separator)) input = input + File.separator;
if (!endsWith(output, File.separator)) output = output + File.separator;
if (!File.exists(model)) exit("Model file not found: " + model);
if (!File.isDirectory(input)) exit("Input folder not found: " + input);
File.makeDirectory(output);
if (File.exists(output + "scores.csv")) exit(output + "scores.csv already exists; choose an empty output folder");

setBatchMode(true);
list = getFileList(input);
csv = "image,score,normalised_score,verdict,regions,region_area_px\n";
count = 0;
for (i = 0; i < list.length; i++) {
    name = list[i];
    lower = toLowerCase(name);
    if (!(endsWith(lower, ".png") || endsWith(lower, ".tif") || endsWith(lower, ".tiff") || endsWith(lower, ".jpg"))) continue;
    stem = substring(name, 0, lastIndexOf(name, "."));
    mapPath = output + stem + "_anomaly_map.tif";
    overlayPath = output + stem + "_overlay.png";
    if (File.exists(mapPath) || File.exists(overlayPath)) exit("Results for " + name + " already exist in " + output);
    open(input + name);
    input_id = getImageID();
    run("Detect Anomalies", "model_file=[" + model + "] input_folder=[] output_folder=[] backbone_file=[]");
    // the anomaly map is now the active image
    saveAs("Tiff", mapPath);
    close();
    selectImage(input_id);
    run("Flatten");
    saveAs("PNG", overlayPath);
    close();
    selectImage(input_id);
    close();
    t = "Anomaly Detection Results";
    csv = csv + name + "," + Table.get("score", 0, t) + "," + Table.get("normalised_score", 0, t) + ","
        + Table.getString("verdict", 0, t) + "," + Table.get("regions", 0, t) + "," + Table.get("region_area_px", 0, t) + "\n";
    count++;
}
File.saveString(csv, output + "scores.csv");
print("Anomaly detection: " + count + " images scored; results in " + output);
