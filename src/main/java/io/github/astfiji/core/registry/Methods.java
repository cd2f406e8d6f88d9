package io.github.astfiji.core.registry;

import io.github.astfiji.core.ast.AstMethod;
import io.github.astfiji.core.efficientad.EfficientAdMethod;
import io.github.astfiji.core.method.DetectorConfig;
import io.github.astfiji.core.method.Method;
import io.github.astfiji.core.rd.RdMethod;
import io.github.astfiji.core.us.UsMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The methods this version knows: the one list every adapter (command line, Fiji dialogs,
 * evaluate, model files) reads methods, presets and their descriptions from. A new method is
 * one package and one line below; the first is the default.
 */
public final class Methods {

    public static final Method AST = new AstMethod();
    public static final Method RD = new RdMethod();
    public static final Method US = new UsMethod();
    public static final Method EFFICIENTAD = new EfficientAdMethod();
    private static final List<Method> ALL = new CopyOnWriteArrayList<>(List.of(AST, RD, US, EFFICIENTAD));

    private Methods() {
    }

    public static List<Method> all() {
        return List.copyOf(ALL);
    }

    /** The method used when none is named: the first registered. */
    public static Method defaultMethod() {
        return ALL.get(0);
    }

    /**
     * Adds a method until the returned handle is closed (for tests and experiments: a method
     * that is not part of this version). A known identity is refused.
     */
    public static AutoCloseable register(Method method) {
        if (find(method.id()) != null) {
            throw new IllegalArgumentException("a method '" + method.id() + "' is registered already");
        }
        ALL.add(method);
        return () -> ALL.remove(method);
    }

    /** Identities in menu order, e.g. ["ast", "rd"]. */
    public static List<String> ids() {
        List<String> out = new ArrayList<>();
        ALL.forEach(m -> out.add(m.id()));
        return out;
    }

    /** The method with this identity, or null when this version does not know it. */
    public static Method find(String id) {
        String key = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (Method m : ALL) {
            if (m.id().equals(key)) {
                return m;
            }
        }
        return null;
    }

    /** The method a user named (blank: the default); an unknown name is refused with the valid ones. */
    public static Method get(String id) {
        if (id == null || id.isBlank()) {
            return defaultMethod();
        }
        Method m = find(id);
        if (m == null) {
            throw new IllegalArgumentException("unknown method '" + id + "'; use one of " + String.join(", ", ids()));
        }
        return m;
    }

    /** One line per method for dialogs: "ast: AST (...)". */
    public static String describeIds() {
        StringBuilder sb = new StringBuilder();
        for (Method m : ALL) {
            sb.append(sb.length() == 0 ? "" : "\n").append(m.id()).append(": ").append(m.description());
        }
        return sb.toString();
    }

    /** The methods, their presets and flags, for the command line's help. */
    public static String help() {
        StringBuilder sb = new StringBuilder("Methods (--method) and their presets (--preset; the first is the default):%n");
        for (Method m : ALL) {
            sb.append(String.format(Locale.ROOT, "%s: %s; --epochs gives the %s.%n", m.id(), m.description(), m.epochsHelp())
                    .replace("%", "%%").replace("%%n", "%n"));
            for (String p : m.presets()) {
                String backbone = m.presetBackbone(p);
                sb.append(("  - " + p + ": " + m.presetDescription(p) + (backbone == null ? "" : "; expects " + backbone))
                        .replace("%", "%%")).append("%n");
            }
            m.flags().forEach((flag, settings) -> sb.append(("  - --" + flag + ": sets " + String.join(", ", settings))
                    .replace("%", "%%")).append("%n"));
        }
        return sb.toString();
    }

    /** A copy of config with a named flag of its method applied; a flag the method lacks is refused. */
    public static DetectorConfig withFlag(Method method, DetectorConfig config, String flag) {
        List<String> settings = method.flags().get(flag);
        if (settings == null) {
            throw new IllegalArgumentException("--" + flag + " does not apply to " + method.displayName()
                    + (method.flags().isEmpty() ? " (it has no such switches)" : "; its switches: --" + String.join(", --", method.flags().keySet())));
        }
        return withSettings(config, settings);
    }

    /** The flags of config's method that config has on (each of its settings at the flag's value), e.g. ["no-positional"]. */
    public static List<String> activeFlags(Method method, DetectorConfig config) {
        List<String> on = new ArrayList<>();
        com.google.gson.Gson gson = new com.google.gson.Gson();
        com.google.gson.JsonObject have = gson.toJsonTree(config).getAsJsonObject();
        for (Map.Entry<String, List<String>> f : method.flags().entrySet()) {
            com.google.gson.JsonObject want = gson.toJsonTree(withSettings(config.copy(), f.getValue())).getAsJsonObject();
            boolean same = true;
            for (String s : f.getValue()) {
                String name = s.substring(0, s.indexOf('=')).trim();
                same &= want.get(name).equals(have.get(name));
            }
            if (same && !f.getValue().isEmpty()) {
                on.add(f.getKey());
            }
        }
        return on;
    }

    /** Every method's preset names, each once, in menu order (for dialogs that offer all methods). */
    public static List<String> presetNames() {
        List<String> out = new ArrayList<>();
        for (Method m : ALL) {
            for (String p : m.presets()) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * A copy of a configuration with settings given by name, e.g. "epochs=50" or
     * "decoderBlocks=[1,2,1]" (values in JSON; names as stored in config.json). An unknown
     * name or a value of the wrong type is refused, naming the setting.
     */
    public static DetectorConfig withSettings(DetectorConfig config, List<String> settings) {
        if (settings.isEmpty()) {
            return config;
        }
        com.google.gson.Gson gson = new com.google.gson.Gson();
        com.google.gson.JsonObject json = gson.toJsonTree(config).getAsJsonObject();
        for (String s : settings) {
            int eq = s.indexOf('=');
            String name = eq < 0 ? s : s.substring(0, eq).trim();
            if (eq < 0 || !json.has(name)) {
                throw new IllegalArgumentException("unknown setting '" + name + "' (write NAME=VALUE; known: " + String.join(", ", json.keySet()) + ")");
            }
            String raw = s.substring(eq + 1).trim();
            boolean text = json.get(name).isJsonPrimitive() && json.get(name).getAsJsonPrimitive().isString();
            try {
                // text settings (e.g. a file path) are taken as written, without JSON quotes
                json.add(name, text && !raw.startsWith("\"") ? new com.google.gson.JsonPrimitive(raw)
                        : com.google.gson.JsonParser.parseString(raw));
            } catch (com.google.gson.JsonParseException e) {
                throw new IllegalArgumentException("setting " + name + ": '" + s.substring(eq + 1) + "' is not a value (use e.g. 3, 0.5, true, [1,2])");
            }
        }
        try {
            DetectorConfig out = gson.fromJson(json, config.getClass());
            out.validate();
            return out;
        } catch (com.google.gson.JsonParseException | NumberFormatException | IllegalStateException e) {
            throw new IllegalArgumentException("a --set value has the wrong type (" + e.getMessage() + ")");
        }
    }

    /** A method's preset with a user's epochs and image size (0 or less keeps the preset's). */
    public static DetectorConfig config(Method method, String preset, int epochs, int imageSize) {
        DetectorConfig c = method.preset(preset == null || preset.isBlank() ? method.presets().get(0) : preset.trim());
        if (epochs > 0) {
            c.setEpochs(epochs);
        }
        if (imageSize > 0) {
            c.imageSize = imageSize;
        }
        return c;
    }
}
