package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * agentd's packages are layers: each may use only the packages its row of {@link #ALLOWED} names, the table has
 * no cycle (so neither has the code), no subpackage uses the root (Main, Daemon), and the tmux, panes and console
 * layers know nothing of the network. Read straight from the sources (imports and fully qualified names, comments
 * and strings left out), so it needs no library and fails the build on the commit that adds a wrong edge.
 */
class ImportRulesTest {
    static final Path SOURCES = Path.of("src/main/java/dev/agentcommander/agentd");
    static final String BASE = "dev.agentcommander.agentd";
    static final String ROOT = "(root)";

    /** Which agentd packages each package may use; keep docs/design-notes.md's module table in step. */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("tmux", Set.of());
        ALLOWED.put("outbox", Set.of());
        ALLOWED.put("panes", Set.of("tmux", "outbox"));
        ALLOWED.put("console", Set.of("tmux", "panes", "outbox"));
        ALLOWED.put("approvals", Set.of("tmux", "panes", "outbox"));
        ALLOWED.put("jobs", Set.of("outbox", "approvals"));
        ALLOWED.put("commands", Set.of("tmux", "panes", "console", "outbox", "jobs"));
        ALLOWED.put("link", Set.of("outbox"));
        ALLOWED.put("hooks", Set.of("approvals", "panes", "outbox"));
        ALLOWED.put("config", Set.of("approvals", "hooks"));
        ALLOWED.put("systemd", Set.of());
        ALLOWED.put("doctor", Set.of("config", "tmux", "hooks", "link", "approvals", "outbox"));
        ALLOWED.put("enroll", Set.of("config"));
        ALLOWED.put(ROOT, Set.of("tmux", "outbox", "panes", "console", "approvals", "commands", "link", "hooks",
                "config", "jobs", "systemd", "doctor", "enroll"));
    }

    /** Packages that must not touch the network: no java.net, no JDK HTTP server, no link. */
    static final Set<String> OFFLINE = Set.of("tmux", "panes", "console", "jobs");
    static final Pattern NETWORK = Pattern.compile("\\b(java\\.net|com\\.sun\\.net)\\.[\\w.]*");
    static final Pattern AGENTD_NAME = Pattern.compile("\\bdev\\.agentcommander\\.agentd\\.([a-z]\\w*\\.)?([A-Z]\\w*)");

    @Test
    void everyPackageUsesOnlyThePackagesItsLayerMay() throws IOException {
        Map<String, Set<String>> used = used();
        List<String> wrong = new ArrayList<>();
        used.forEach((from, tos) -> {
            assertThat(ALLOWED).as("package %s is in the layer table", from).containsKey(from);
            for (String edge : tos) {
                String to = edge.substring(0, edge.indexOf(' '));
                if (!ALLOWED.get(from).contains(to)) {
                    wrong.add(from + " -> " + edge);
                }
            }
        });
        assertThat(wrong).as("uses outside the layer table %s", ALLOWED).isEmpty();
        // and the scan sees uses at all: the root wires every layer
        assertThat(used.get(ROOT).stream().map(e -> e.substring(0, e.indexOf(' '))).distinct())
                .containsExactlyInAnyOrderElementsOf(ALLOWED.get(ROOT));
    }

    @Test
    void theLayerTableHasNoCycleAndNothingUsesTheRoot() {
        assertThat(ALLOWED.values()).noneMatch(tos -> tos.contains(ROOT));
        Map<String, Integer> state = new HashMap<>();
        for (String p : ALLOWED.keySet()) {
            assertThat(cycleFrom(p, state, new ArrayList<>())).as("a cycle in the layer table").isNull();
        }
    }

    @Test
    void tmuxPanesAndConsoleKnowNothingOfTheNetwork() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : sources()) {
            String pkg = packageOf(f);
            if (!OFFLINE.contains(pkg)) {
                continue;
            }
            Matcher m = NETWORK.matcher(code(f));
            while (m.find()) {
                found.add(pkg + " (" + SOURCES.relativize(f) + ") uses " + m.group());
            }
        }
        Map<String, Set<String>> used = used();
        for (String p : OFFLINE) {
            used.getOrDefault(p, Set.of()).stream().filter(e -> e.startsWith("link ")).forEach(e -> found.add(
                    p + " uses " + e));
        }
        assertThat(found).as("the network in " + OFFLINE).isEmpty();
    }

    /** Package → the agentd packages it uses, each as "package (Class in File.java)". */
    static Map<String, Set<String>> used() throws IOException {
        Map<String, Set<String>> used = new TreeMap<>();
        for (Path f : sources()) {
            String from = packageOf(f);
            Set<String> tos = used.computeIfAbsent(from, k -> new TreeSet<>());
            Matcher m = AGENTD_NAME.matcher(code(f));
            while (m.find()) {
                String to = m.group(1) == null ? ROOT : m.group(1).substring(0, m.group(1).length() - 1);
                if (!to.equals(from)) {
                    tos.add(to + " (" + m.group(2) + " in " + f.getFileName() + ")");
                }
            }
        }
        return used;
    }

    private static String cycleFrom(String p, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) {
            return null;
        }
        path.add(p);
        if (s != null) {
            return String.join(" -> ", path);
        }
        state.put(p, 1);
        for (String to : ALLOWED.getOrDefault(p, Set.of())) {
            String c = cycleFrom(to, state, path);
            if (c != null) {
                return c;
            }
        }
        state.put(p, 2);
        path.removeLast();
        return null;
    }

    static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    static String packageOf(Path file) {
        Path dir = SOURCES.relativize(file).getParent();
        return dir == null ? ROOT : dir.toString().replace('/', '.');
    }

    /** The file without comments, string and char literals (a name in a comment is not a use). */
    static String code(Path file) throws IOException {
        String s = Files.readString(file);
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = end < 0 ? s.length() : end + 3;
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char q = s.charAt(i++);
                while (i < s.length() && s.charAt(i) != q) {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out.toString();
    }
}
