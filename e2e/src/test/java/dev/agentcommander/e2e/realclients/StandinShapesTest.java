package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-in {@code claude} the fast tests use sends payloads shaped like the real client's: the same field
 * names and JSON types at every level as the golden files recorded from real Claude Code (values are its own). The
 * golden directory is named after the CLI version, so recording a new version that changes a payload fails here
 * until the stand-in follows.
 */
class StandinShapesTest {
    @TempDir
    Path dir;

    /** The value with every leaf replaced by its JSON type, arrays by the shape of their first element. */
    static JsonNode shape(JsonNode v) {
        if (v.isObject()) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            v.fieldNames().forEachRemaining(n -> o.set(n, shape(v.get(n))));
            return o;
        }
        if (v.isArray()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            if (!v.isEmpty()) {
                a.add(shape(v.get(0)));
            }
            return a;
        }
        return Json.MAPPER.getNodeFactory().textNode(v.getNodeType().name().toLowerCase());
    }

    @Test
    void theStandinsPermissionRequestHasTheRealClientsShape() throws Exception {
        Path standin = dir.resolve("claude");
        try (InputStream in = getClass().getResourceAsStream("/standins/claude")) {
            Files.copy(in, standin, StandardCopyOption.REPLACE_EXISTING);
        }
        Path capture = dir.resolve("hook-in.json");
        Path hook = dir.resolve("capture-hook");
        Files.writeString(hook, "#!/bin/sh\ncat > '" + capture + "'\n");
        hook.toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder("bash", standin.toString(), "hook", "Bash",
                "{\"command\":\"git tag v1\",\"description\":\"Tag the release\"}")
                .directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("AGENTD_HOOK", hook.toString());
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        JsonNode sent = Json.read(Files.readString(capture));
        JsonNode real = Json.read(Files.readString(Golden.claude().file("permission-request-bash.json")));
        assertThat(Json.pretty(Golden.sorted(shape(sent))))
                .as("stand-in PermissionRequest vs claude-%s permission-request-bash.json", RealClis.CLAUDE_VERSION)
                .isEqualTo(Json.pretty(Golden.sorted(shape(real))));
        // control: the old stand-in payload (no prompt_id, no ruleContent) is told apart
        ObjectNode old = sent.deepCopy();
        old.remove("prompt_id");
        assertThat(Json.pretty(Golden.sorted(shape(old)))).isNotEqualTo(Json.pretty(Golden.sorted(shape(real))));
    }
}
