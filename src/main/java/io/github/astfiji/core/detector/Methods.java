package io.github.astfiji.core.detector;

import io.github.astfiji.core.ast.AstMethod;
import io.github.astfiji.core.rd.RdMethod;
import io.github.astfiji.core.us.UsMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The methods this version knows, by their stored and typed identity. */
public final class Methods {

    public static final Method AST = new AstMethod();
    public static final Method RD = new RdMethod();
    public static final Method US = new UsMethod();
    private static final List<Method> ALL = List.of(AST, RD, US);

    private Methods() {
    }

    public static List<Method> all() {
        return ALL;
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

    /** The method a user named; an unknown name is refused with the valid ones. */
    public static Method get(String id) {
        Method m = find(id);
        if (m == null) {
            throw new IllegalArgumentException("unknown method '" + id + "'; use one of " + String.join(", ", ids()));
        }
        return m;
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
        DetectorConfig c = method.preset(preset == null || preset.isBlank() ? method.presets().get(0) : preset);
        if (epochs > 0) {
            c.setEpochs(epochs);
        }
        if (imageSize > 0) {
            c.imageSize = imageSize;
        }
        return c;
    }
}
