package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonSchemasTest {
    @Test
    void committedSchemaFilesMatchTheRecords() throws Exception {
        Path dir = Path.of("json-schema");
        for (Map.Entry<String, com.fasterxml.jackson.databind.node.ObjectNode> e : JsonSchemas.all().entrySet()) {
            Path f = dir.resolve(e.getKey());
            assertThat(f).as("%s exists (regenerate: JsonSchemas.main)", f).exists();
            JsonNode committed = Json.mapper().readTree(Files.readString(f));
            assertThat(committed).as("%s is up to date (regenerate: JsonSchemas.main)", f).isEqualTo(e.getValue());
        }
    }

    @Test
    void agentFramesListEveryTypeWithSeqRequiredWhereSequenced() {
        JsonNode agent = JsonSchemas.all().get("agent-message.schema.json").get("oneOf");
        assertThat(agent).hasSize(AgentMessage.class.getPermittedSubclasses().length - 1);
        boolean sawUpsert = false;
        for (JsonNode f : agent) {
            String type = f.at("/properties/type/const").asText();
            boolean seqRequired = f.get("required").toString().contains("\"seq\"");
            assertThat(seqRequired).as(type).isEqualTo(!type.equals("agent.hello") && !type.equals("agent.heartbeat"));
            if (type.equals("sessions.upsert")) {
                sawUpsert = true;
                assertThat(f.at("/properties/payload/properties/session/properties/needs_attention/type").asText())
                        .isEqualTo("boolean");
                assertThat(f.at("/properties/payload/properties/session/properties/provider/enum").toString())
                        .contains("claude", "codex", "shell", "other");
            }
        }
        assertThat(sawUpsert).isTrue();
    }

    @Test
    void commandSchemaUsesWireNames() {
        JsonNode commands = JsonSchemas.all().get("command.schema.json").get("oneOf");
        assertThat(commands).hasSize(CommandSpec.NAMES.size());
        assertThat(commands.toString()).contains("\"const\":\"rename_session\"").contains("\"worktree_name\"")
                .doesNotContain("new_name");
    }
}
