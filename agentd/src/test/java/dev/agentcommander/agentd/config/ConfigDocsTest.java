package dev.agentcommander.agentd.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example config and the README's table of keys say what {@link Option}, the one declaration, says. */
class ConfigDocsTest {
    static final Path EXAMPLE = Path.of("../systemd/config.yaml");
    static final Path README = Path.of("../README.md");
    static final String TABLE_START = "<!-- agentd-config-keys: generated from agentd's Option table; a test keeps "
            + "it equal -->";
    static final String TABLE_END = "<!-- /agentd-config-keys -->";

    @TempDir
    Path tmp;

    @Test
    void theExampleConfigHasEveryKeyAndNoOtherAndTheLoaderAcceptsIt() throws Exception {
        List<String> keys = new ArrayList<>();
        leaves(new YAMLMapper().readTree(EXAMPLE.toFile()), "", keys);
        assertThat(keys).as("keys in " + EXAMPLE).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Option.values()).map(Option::path).toList());
        Path token = Files.writeString(tmp.resolve("token"), "t\n"); // the example's token_file need not exist here
        Config c = new ConfigLoader(Map.of("AGENTD_CONTROL_PLANE_TOKEN_FILE", token.toString())).load(EXAMPLE, true);
        assertThat(c.controlPlane().token()).isEqualTo("t");
    }

    @Test
    void theReadmeTableOfKeysIsTheOptionTable() throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf(TABLE_START);
        int end = readme.indexOf(TABLE_END);
        String expected = table();
        assertThat(start).as("README.md has the agentd key table; put this there:\n%s\n%s%s", TABLE_START, expected,
                TABLE_END).isNotNegative();
        assertThat(end).isGreaterThan(start);
        assertThat(readme.substring(start + TABLE_START.length(), end).strip())
                .as("README.md's agentd key table (regenerate it from Option)").isEqualTo(expected.strip());
    }

    /** The README table: one row per option, in declaration order. */
    static String table() {
        return "| key | default | range | what it is |\n|---|---|---|---|\n" + Arrays.stream(Option.values())
                .map(o -> "| `" + o.path() + "` | " + shown(o.defaultValue()) + " | " + range(o) + " | " + o.doc()
                        + " |")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static String shown(Object v) {
        return v instanceof String s && s.isEmpty() ? "(empty)" : "`" + v + "`";
    }

    private static String range(Option o) {
        return o.kind() == Option.Kind.STRING || o.kind() == Option.Kind.BOOL ? "" : o.min() + "–" + o.max();
    }

    private static void leaves(JsonNode node, String prefix, List<String> out) {
        node.fields().forEachRemaining(f -> {
            String path = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
            if (f.getValue().isObject()) {
                leaves(f.getValue(), path, out);
            } else {
                out.add(path);
            }
        });
    }
}
