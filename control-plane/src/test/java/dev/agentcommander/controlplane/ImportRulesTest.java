package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The control plane's packages are layers: each may use only the packages listed for it in {@link #ALLOWED}, the
 * table is cycle-free, and only the network-facing packages touch Helidon. The rules read the sources (imports,
 * static imports and fully qualified names in code; comments and string literals do not count), so a back edge
 * fails here with the file and line before it can grow into a cycle. docs/design-notes.md shows the same table.
 */
class ImportRulesTest {
    private static final String BASE = "dev.agentcommander.controlplane";
    private static final String ROOT = "(root)";

    /** Package (relative to {@value #BASE}) → the packages it may use. The root wires everything. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("db", Set.of()),
            Map.entry("fanout", Set.of("db")),
            Map.entry("metrics", Set.of()),
            Map.entry("auth", Set.of("db")),
            Map.entry("errors", Set.of("db")),
            Map.entry("rules", Set.of("db")),
            Map.entry("notify", Set.of("db", "rules")),
            Map.entry("link", Set.of("db", "auth", "fanout", "rules", "metrics")),
            Map.entry("ui", Set.of("db", "auth", "fanout", "errors", "link")),
            Map.entry("http", Set.of("db", "auth", "fanout", "errors", "link", "rules", "metrics")),
            Map.entry(ROOT, Set.of("db", "fanout", "auth", "errors", "link", "ui", "http", "rules", "notify",
                    "metrics")));

    /** The packages that speak HTTP or WebSocket; the others stay free of the server framework. */
    static final Set<String> HELIDON = Set.of("link", "ui", "http", ROOT);

    private static final Pattern OWN = Pattern.compile("\\b" + Pattern.quote(BASE)
            + "((?:\\.[a-z][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");
    private static final Pattern HELIDON_REF = Pattern.compile("\\bio\\.helidon\\.");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    /** One source file: its package (relative, or {@value #ROOT}) and its text without comments and strings. */
    record Source(String name, String pkg, String code) {
        static Source parse(String name, String text) {
            String code = codeOnly(text);
            Matcher m = PACKAGE.matcher(code);
            if (!m.find()) {
                throw new AssertionError(name + ": no package declaration");
            }
            return new Source(name, relative(m.group(1)), code);
        }
    }

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() {
        List<Source> sources = mainSources();
        assertThat(sources).as("sources found under src/main/java").hasSizeGreaterThan(20);
        assertThat(violations(sources)).as("uses outside the allowed table %s", sorted()).isEmpty();
    }

    @Test
    void everyPackageIsDeclaredAndEveryDeclaredPackageExists() {
        Set<String> found = new TreeSet<>();
        mainSources().forEach(s -> found.add(s.pkg()));
        assertThat(found).as("a new package needs its row in ALLOWED (and in docs/design-notes.md)")
                .isEqualTo(new TreeSet<>(ALLOWED.keySet()));
    }

    @Test
    void theAllowedTableHasNoCycle() {
        for (String from : ALLOWED.keySet()) {
            assertThat(reachable(from)).as("packages reachable from " + from).doesNotContain(from);
        }
    }

    @Test
    void onlyTheNetworkPackagesUseHelidon() {
        List<String> bad = new ArrayList<>();
        for (Source s : mainSources()) {
            if (!HELIDON.contains(s.pkg())) {
                Matcher m = HELIDON_REF.matcher(s.code());
                while (m.find()) {
                    bad.add(s.name() + ":" + line(s.code(), m.start()) + " uses io.helidon in package " + s.pkg());
                }
            }
        }
        assertThat(bad).isEmpty();
    }

    @Test
    void aBackEdgeIsReportedWithFileAndLine() {
        Source db = Source.parse("db/Bad.java", """
                package dev.agentcommander.controlplane.db;

                // dev.agentcommander.controlplane.link.InAComment is not a use
                import dev.agentcommander.controlplane.fanout.FanOut;
                class Bad {
                    String s = "dev.agentcommander.controlplane.http.InAString";
                    Object o = dev.agentcommander.controlplane.ControlPlane.VERSION;
                }
                """);
        assertThat(violations(List.of(db))).containsExactly(
                "db/Bad.java:4 uses package fanout; db may use only []",
                "db/Bad.java:7 uses package (root); db may use only []");
    }

    static List<String> violations(List<Source> sources) {
        List<String> out = new ArrayList<>();
        for (Source s : sources) {
            Set<String> allowed = ALLOWED.getOrDefault(s.pkg(), Set.of());
            Matcher m = OWN.matcher(s.code());
            while (m.find()) {
                String target = m.group(1).isEmpty() ? ROOT : m.group(1).substring(1);
                if (!target.equals(s.pkg()) && !allowed.contains(target)) {
                    out.add(s.name() + ":" + line(s.code(), m.start()) + " uses package " + target + "; " + s.pkg()
                            + " may use only " + new TreeSet<>(allowed));
                }
            }
        }
        return out;
    }

    private static String sorted() {
        StringBuilder b = new StringBuilder();
        new TreeSet<>(ALLOWED.keySet()).forEach(p -> b.append("\n  ").append(p).append(" -> ")
                .append(new TreeSet<>(ALLOWED.get(p))));
        return b.toString();
    }

    private static Set<String> reachable(String from) {
        Set<String> seen = new TreeSet<>();
        List<String> todo = new ArrayList<>(ALLOWED.getOrDefault(from, Set.of()));
        while (!todo.isEmpty()) {
            String p = todo.removeLast();
            if (seen.add(p)) {
                todo.addAll(ALLOWED.getOrDefault(p, Set.of()));
            }
        }
        return seen;
    }

    private static List<Source> mainSources() {
        Path dir = Path.of("src/main/java", BASE.split("\\."));
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().map(p -> {
                try {
                    return Source.parse(dir.relativize(p).toString(), Files.readString(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.toAbsolutePath(), e);
        }
    }

    private static String relative(String pkg) {
        if (pkg.equals(BASE)) {
            return ROOT;
        }
        if (!pkg.startsWith(BASE + ".")) {
            throw new AssertionError("package " + pkg + " is outside " + BASE);
        }
        return pkg.substring(BASE.length() + 1);
    }

    private static int line(String code, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) {
            if (code.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /** The text with comments, string and char literals and text blocks blanked out; line breaks are kept. */
    static String codeOnly(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                while (i < n && text.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = blank(text, out, i, end < 0 ? n : end + 2);
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                i = blank(text, out, i, end < 0 ? n : end + 3);
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                i = blank(text, out, i, Math.min(n, j + 1));
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int blank(String text, StringBuilder out, int from, int to) {
        for (int k = from; k < to; k++) {
            out.append(text.charAt(k) == '\n' ? '\n' : ' ');
        }
        return to;
    }
}
