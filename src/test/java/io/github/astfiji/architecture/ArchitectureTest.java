package io.github.astfiji.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout the README draws, checked on the sources: no cycle between packages (read from
 * imports and fully qualified names in code, comments and strings left out), no loose files
 * in core/, and the method packages reached only through the registry.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final String ROOT = "io.github.astfiji";
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.github\\.astfiji(?:\\.[a-z][a-z0-9_]*)+)\\.[A-Z]");
    private static final Set<String> METHOD_PACKAGES = Set.of(ROOT + ".core.ast", ROOT + ".core.rd", ROOT + ".core.us");

    /** Package -> package it refers to -> the files (with line) that make the reference. */
    private static Map<String, Map<String, List<String>>> graph() throws IOException {
        Map<String, Map<String, List<String>>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String from = MAIN.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.');
                String[] lines = codeOnly(Files.readString(f)).split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    Matcher m = REFERENCE.matcher(lines[i]);
                    while (m.find()) {
                        String to = m.group(1);
                        if (!to.equals(from)) {
                            g.computeIfAbsent(from, k -> new TreeMap<>()).computeIfAbsent(to, k -> new ArrayList<>())
                                    .add(MAIN.relativize(f) + ":" + (i + 1));
                        }
                    }
                }
                g.computeIfAbsent(from, k -> new TreeMap<>());
            }
        }
        return g;
    }

    /** The text with comments and string or character literals blanked out (line breaks kept). */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end;
            if (s.startsWith("//", i)) {
                end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
            } else if (s.startsWith("/*", i)) {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < s.length() && s.charAt(end) != c) {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(s.length(), end + 1);
            } else {
                out.append(c);
                i++;
                continue;
            }
            for (int k = i; k < end; k++) {
                out.append(s.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }

    /** Strongly connected components of more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Map<String, List<String>>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : g.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, g, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Map<String, List<String>>> g, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Map.of()).keySet()) {
            if (!g.containsKey(w)) {
                continue;
            }
            if (!index.containsKey(w)) {
                connect(w, g, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    @Test
    void noPackageCycles() throws IOException {
        Map<String, Map<String, List<String>>> g = graph();
        List<Set<String>> cycles = cycles(g);
        StringBuilder why = new StringBuilder();
        for (Set<String> c : cycles) {
            why.append("cycle among ").append(c).append(":\n");
            for (String from : c) {
                for (Map.Entry<String, List<String>> e : g.get(from).entrySet()) {
                    if (c.contains(e.getKey())) {
                        why.append("  ").append(from).append(" -> ").append(e.getKey()).append(" at ").append(e.getValue()).append('\n');
                    }
                }
            }
        }
        assertTrue(cycles.isEmpty(), why.toString());
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Map<String, List<String>>> g = new TreeMap<>();
        g.put("a", new TreeMap<>(Map.of("b", List.of("A.java:1"))));
        g.put("b", new TreeMap<>(Map.of("c", List.of("B.java:1"))));
        g.put("c", new TreeMap<>(Map.of("a", List.of("C.java:1"))));
        g.put("d", new TreeMap<>(Map.of("a", List.of("D.java:1"))));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(g));
    }

    @Test
    void coreHoldsPackagesOnly() throws IOException {
        try (Stream<Path> files = Files.list(MAIN.resolve("io/github/astfiji/core"))) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList(),
                    "core/ holds packages that say what they hold (engine, image, score, method, ...), no loose files");
        }
    }

    @Test
    void methodPackagesAreReachedOnlyThroughTheRegistry() throws IOException {
        // the US teacher tool is US's own command; everything else goes through core.registry.Methods
        Set<String> allowed = Set.of(ROOT + ".core.registry", ROOT + ".cli");
        List<String> wrong = new ArrayList<>();
        graph().forEach((from, targets) -> targets.forEach((to, where) -> {
            boolean fromMethod = METHOD_PACKAGES.stream().anyMatch(from::startsWith);
            if (METHOD_PACKAGES.contains(to) && !fromMethod && !allowed.contains(from)) {
                wrong.add(from + " -> " + to + " at " + where);
            }
            if (from.equals(ROOT + ".cli") && METHOD_PACKAGES.contains(to)) {
                where.stream().filter(w -> !w.contains("MakeUsTeacherCommand")).forEach(w -> wrong.add(from + " -> " + to + " at " + w));
            }
        }));
        assertEquals(List.of(), wrong);
    }
}
