package io.github.astfiji.cli;

import io.github.astfiji.core.eval.Evaluation;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.registry.Methods;
import io.github.astfiji.workflow.DatasetEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Train (or load) one model per category and method of an MVTec AD / MVTec 3D-AD style data set and print the paper's metrics table.")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--data", required = true, description = "A category folder (train/good, test/<type>) or a folder of them.")
    Path data;

    @Option(names = "--out", description = "Folder for results.md and results.csv.")
    Path out;

    @Option(names = "--methods", split = ",", completionCandidates = MethodIds.class,
            description = "Methods to compare, comma-separated, of ${COMPLETION-CANDIDATES} (default: the first).")
    List<String> methods;

    @Option(names = "--models", description = "Folder of <category>.ast (AST) and <category>-<method>.ast models: loaded when present, "
            + "otherwise trained (and saved with --save-models).")
    Path models;

    @Option(names = "--save-models", description = "Save each trained model as <models>/<category>.ast.")
    boolean saveModels;

    @Option(names = "--overwrite", description = "Replace existing results files.")
    boolean overwrite;

    @Mixin
    TrainingOptions options;

    @Override
    public Integer call() throws Exception {
        engine.apply();
        if (saveModels && models == null) {
            throw new IllegalArgumentException("--save-models needs --models DIR");
        }
        List<DatasetEvaluation.Run> runs = new ArrayList<>();
        StringBuilder settings = new StringBuilder();
        for (String id : methods == null ? List.of(Methods.defaultMethod().id()) : methods) {
            Method m = Methods.get(id);
            DetectorConfig config = options.config(m);
            runs.add(new DatasetEvaluation.Run(m, config, options.backbone));
            settings.append(settings.length() == 0 ? "" : "; ").append(m.displayName()).append(": input ").append(config.input.label)
                    .append(", preset ").append(config.preset).append(", seed ").append(config.seed)
                    .append(Methods.activeFlags(m, config).stream().map(f -> ", --" + f).reduce("", String::concat))
                    .append(config.foregroundMask ? "" : ", no foreground mask");
        }
        ConsoleProgress progress = new ConsoleProgress(System.err);
        List<Evaluation.Row> rows = DatasetEvaluation.run(data, runs, models, saveModels, progress);
        progress.finish();
        System.out.println(settings + ". Metrics in %; train s = features and all training phases; peak MB = resident memory.");
        System.out.print(DatasetEvaluation.markdown(rows));
        if (out != null) {
            List<Path> pictures = DatasetEvaluation.write(rows, out, overwrite);
            System.out.println("Written: " + out.resolve("results.md") + ", " + out.resolve("results.csv") + " and " + pictures.size()
                    + " plots (ROC, PRO, score histograms) in " + out);
        }
        return 0;
    }
}
