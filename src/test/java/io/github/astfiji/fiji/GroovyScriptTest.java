package io.github.astfiji.fiji;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs scripts/batch_detect.groovy as Fiji's script editor would: the #@ parameter lines
 * are filled from the inputs (services from the SciJava context), the rest is Groovy.
 */
class GroovyScriptTest {

    private static final Pattern PARAM = Pattern.compile("^#@\\s*(\\w+)(?:\\s*\\(.*\\))?\\s+(\\w+)\\s*$");

    /** Minimal SciJava script-parameter handling: binds every declared #@ input by name. */
    static Binding bind(String script, Map<String, Object> inputs, Context context) {
        Binding b = new Binding();
        for (String line : script.split("\n")) {
            Matcher m = PARAM.matcher(line.trim());
            if (!m.matches() || line.startsWith("#@output")) {
                continue;
            }
            String type = m.group(1);
            String name = m.group(2);
            if (type.endsWith("Service")) {
                b.setVariable(name, context.service(CommandService.class));
            } else {
                if (!inputs.containsKey(name)) {
                    throw new IllegalArgumentException("script input " + name + " not given");
                }
                b.setVariable(name, inputs.get(name));
            }
        }
        return b;
    }

    @Test
    void batchScriptScoresAFolder(@TempDir Path dir) throws Exception {
        String script = Files.readString(Path.of("scripts/batch_detect.groovy"));
        try (Context context = new Context(CommandService.class)) {
            File model = dir.resolve("m.ast").toFile();
            CommandModule t = context.service(CommandService.class).run(TrainAstCommand.class, true,
                    "training_folder", new File("test-images/train/good"), "model_file", model, "epochs", 3, "image_size", 64).get();
            assertFalse(t.isCanceled(), t.getCancelReason());
            Path out = Files.createDirectories(dir.resolve("out"));
            Binding b = bind(script, Map.of("model_file", model, "input_folder", new File("test-images/test/scratch"),
                    "output_folder", out.toFile()), context);
            // SciJava comments out the #@ header before Groovy sees the script
            new GroovyShell(b).evaluate(script.replaceAll("(?m)^#@", "//#@"));
            List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
            assertEquals(6, csv.size(), String.join("\n", csv));
            assertTrue(csv.get(1).startsWith("000.png,"));
            for (int i = 0; i < 5; i++) {
                assertTrue(Files.size(out.resolve(String.format("%03d_anomaly_map.tif", i))) > 128 * 128 * 4);
                assertTrue(Files.exists(out.resolve(String.format("%03d_overlay.png", i))));
            }
            assertTrue(((String) b.getVariable("summary")).startsWith("5 images scored"));

            // a second run refuses to replace the results
            Binding again = bind(script, Map.of("model_file", model, "input_folder", new File("test-images/test/scratch"),
                    "output_folder", out.toFile()), context);
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> new GroovyShell(again).evaluate(script.replaceAll("(?m)^#@", "//#@")));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        }
    }
}
