package io.github.astfiji.cli;

import io.github.astfiji.core.ast.AstConfig;
import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.io.DatasetEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Train (or load) one model per category of an MVTec AD / MVTec 3D-AD style data set and print the paper's metrics table.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "A category folder (train/good, test/<type>) or a folder of them.")
    Path data;

    @Option(names = "--out", description = "Folder for results.md and results.csv.")
    Path out;

    @Option(names = "--models", description = "Folder of <category>.ast models: loaded when present, otherwise trained (and saved with --save-models).")
    Path models;

    @Option(names = "--save-models", description = "Save each trained model as <models>/<category>.ast.")
    boolean saveModels;

    @Option(names = "--overwrite", description = "Replace existing results files.")
    boolean overwrite;

    @Mixin
    TrainingOptions options;

    @Override
    public Integer call() throws Exception {
        if (saveModels && models == null) {
            throw new IllegalArgumentException("--save-models needs --models DIR");
        }
        AstConfig config = options.config();
        ConsoleProgress progress = new ConsoleProgress(System.err);
        List<Evaluation.Row> rows = DatasetEvaluation.run(data, config, options.backbone, models, saveModels, progress);
        progress.finish();
        System.out.println("Input " + config.input.label + ", preset " + config.preset + (config.positionalChannels == 0 ? ", no positional encoding" : "")
                + (config.foregroundMask ? "" : ", no foreground mask") + "; values in %.");
        System.out.print(DatasetEvaluation.markdown(rows));
        if (out != null) {
            DatasetEvaluation.write(rows, out, overwrite);
            System.out.println("Written: " + out.resolve("results.md") + ", " + out.resolve("results.csv"));
        }
        return 0;
    }
}
