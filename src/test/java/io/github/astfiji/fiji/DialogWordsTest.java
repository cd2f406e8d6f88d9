package io.github.astfiji.fiji;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every field of the SciJava dialogs is labelled in words, never with its parameter name. */
class DialogWordsTest {

    @Test
    void everyInputHasALabelInWords() {
        List<String> raw = new ArrayList<>();
        try (Context context = new Context(CommandService.class)) {
            CommandService commands = context.service(CommandService.class);
            for (Class<? extends org.scijava.command.Command> c : List.<Class<? extends org.scijava.command.Command>>of(
                    TrainDetectorCommand.class, DetectAnomaliesCommand.class, EvaluateCommand.class)) {
                CommandInfo info = commands.getCommand(c.getName());
                for (ModuleItem<?> in : info.inputs()) {
                    if (in.getVisibility() == org.scijava.ItemVisibility.INVISIBLE || in.getType().getName().startsWith("org.scijava")) {
                        continue; // services and the like are not shown
                    }
                    String label = in.getLabel();
                    // a raw name: the parameter's own, or any identifier-like word (lower case, underscores)
                    if (label == null || label.equals(in.getName()) || label.matches("[a-z0-9_]+")) {
                        raw.add(c.getSimpleName() + "." + in.getName() + " -> '" + label + "'");
                    }
                }
            }
        }
        assertTrue(raw.isEmpty(), "fields shown by their parameter name: " + raw);
    }
}
