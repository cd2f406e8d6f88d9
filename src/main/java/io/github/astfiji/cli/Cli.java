package io.github.astfiji.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.util.concurrent.CancellationException;

/** Command-line entry point: {@code java -jar AST_Anomaly_Detection.jar <command> ...}. */
@Command(name = "ast", mixinStandardHelpOptions = true, version = "AST for Fiji 0.1.0",
        description = "Anomaly detection with student-teacher networks: train on defect-free images, then detect.",
        subcommands = {TrainCommand.class, DetectCommand.class, DemoCommand.class, MakeSamplesCommand.class,
            BenchmarkCommand.class, EvaluateCommand.class, MakeSyntheticCommand.class, MakeUsTeacherCommand.class, MakePdnTeacherCommand.class,
            TimeBackboneCommand.class})
public final class Cli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code (1 for a user error, 130 when cancelled). */
    public static int run(String... args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            // DJL probes for CUDA and warns when there is none: expected on CPU machines.
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        }
        CommandLine cl = new CommandLine(new Cli());
        for (String name : new String[] {"train", "evaluate"}) {
            // the methods, presets and switches come from the registry, never from a list written here
            cl.getSubcommands().get(name).getCommandSpec().usageMessage().footer(io.github.astfiji.core.registry.Methods.help());
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("Error: " + message(ex));
            if (System.getenv("AST_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            if (ex instanceof io.github.astfiji.core.train.TrainingFailedException) {
                return io.github.astfiji.core.train.TrainingFailedException.EXIT_CODE;
            }
            return ex instanceof CancellationException ? 130 : 1;
        });
        return cl.execute(args);
    }

    static String message(Throwable ex) {
        return io.github.astfiji.io.ImageFiles.explain(ex);
    }
}
