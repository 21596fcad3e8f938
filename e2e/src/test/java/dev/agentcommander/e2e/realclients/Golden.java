package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden files recorded from a real CLI, one directory per CLI version
 * ({@code e2e/src/test/resources/golden/<cli>-<version>/}). A test scrubs what it recorded ({@link Scrub}) and
 * compares it with the file: JSON exactly as trees (field order aside), screens exactly line by line. So a new CLI
 * version that renames, adds or drops a field, or changes a fixed value, fails a test; the golden directory then
 * gets a new version's name, re-recorded with {@code -Dgolden.update=true} (or AC_GOLDEN_UPDATE=1), and the diff
 * is reviewed like code.
 */
final class Golden {
    private final Path dir;

    private Golden(String cliAndVersion) {
        this.dir = sourceRoot().resolve("src/test/resources/golden").resolve(cliAndVersion);
    }

    static Golden claude() {
        return new Golden("claude-" + RealClis.CLAUDE_VERSION);
    }

    static Golden codex() {
        return new Golden("codex-" + RealClis.CODEX_VERSION);
    }

    static boolean updating() {
        return Boolean.getBoolean("golden.update") || "1".equals(System.getenv("AC_GOLDEN_UPDATE"));
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** Compares (or, when updating, records) a scrubbed JSON value. */
    void json(String name, JsonNode scrubbed) {
        Path f = file(name);
        if (updating()) {
            write(f, Json.pretty(scrubbed));
            return;
        }
        JsonNode expected = Json.read(read(f));
        assertThat(Json.pretty(sorted(scrubbed))).as("%s (re-record with -Dgolden.update=true if the CLI changed)", f)
                .isEqualTo(Json.pretty(sorted(expected)));
    }

    /**
     * Compares (or records) a sequence of scrubbed JSON values, one compact line each (a JSON-lines stream such
     * as {@code codex exec --json} prints): the same number of lines, each equal as a tree.
     */
    void jsonLines(String name, List<JsonNode> scrubbed) {
        Path f = file(name);
        if (updating()) {
            StringBuilder sb = new StringBuilder();
            scrubbed.forEach(n -> sb.append(Json.write(n)).append('\n'));
            write(f, sb.toString());
            return;
        }
        List<String> expected = read(f).lines().map(l -> Json.pretty(sorted(Json.read(l)))).toList();
        List<String> actual = scrubbed.stream().map(n -> Json.pretty(sorted(n))).toList();
        assertThat(actual).as("%s (re-record with -Dgolden.update=true if the CLI changed)", f)
                .containsExactlyElementsOf(expected);
    }

    /** Compares (or records) scrubbed text, e.g. a screen. */
    void text(String name, String scrubbed) {
        Path f = file(name);
        if (updating()) {
            write(f, scrubbed);
            return;
        }
        assertThat(scrubbed).as("%s (re-record with -Dgolden.update=true if the CLI changed)", f)
                .isEqualTo(read(f));
    }

    /** The same tree with every object's fields in name order: the comparison ignores field order. */
    static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.stream().sorted().forEach(n -> o.set(n, sorted(node.get(n))));
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            node.forEach(v -> a.add(sorted(v)));
            return a;
        }
        return node;
    }

    JsonNode readJson(String name) {
        return Json.read(read(file(name)));
    }

    private static String read(Path f) {
        if (!Files.exists(f)) {
            throw new AssertionError("no golden file " + f + ": record it with -Dgolden.update=true");
        }
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path f, String text) {
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The e2e module's directory: surefire's basedir, else the working directory. */
    private static Path sourceRoot() {
        String basedir = System.getProperty("basedir");
        Path root = Path.of(basedir != null ? basedir : System.getProperty("user.dir"));
        return Files.isDirectory(root.resolve("src/test")) ? root : root.resolve("e2e");
    }
}
