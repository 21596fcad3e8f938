package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class CommandSpecTest {
    private static JsonNode json(String s) {
        try {
            return Json.mapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void parsesFlatRestBodyAndRoundTripsThroughArgs() {
        CommandSpec c = CommandSpec.parse(null,
                json("{\"type\":\"send_input\",\"session_id\":\"s_1\",\"text\":\"echo \\\"$(id)\\\"; ls\\n\",\"submit\":true}"));
        assertThat(c).isEqualTo(new CommandSpec.SendInput("s_1", "echo \"$(id)\"; ls\n", true));
        assertThat(CommandSpec.parse(c.name(), c.toArgs())).isEqualTo(c);
    }

    @Test
    void renameRoundTripsWithWireNameField() {
        CommandSpec c = CommandSpec.parse("rename_session", json("{\"session_id\":\"s_1\",\"name\":\"api work\"}"));
        assertThat(c.toArgs().get("name").asText()).isEqualTo("api work");
        assertThat(CommandSpec.parse(c.name(), c.toArgs())).isEqualTo(c);
    }

    @Test
    void spawnSessionRoundTrips() {
        CommandSpec c = CommandSpec.parse("spawn_session", json("{\"repo_path\":\"/src/app\",\"branch\":\"feat/x\","
                + "\"worktree_name\":\"feat-x\",\"provider\":\"claude\",\"prompt\":\"fix it\"}"));
        assertThat(c.toArgs().get("provider").asText()).isEqualTo("claude");
        assertThat(CommandSpec.parse(c.name(), c.toArgs())).isEqualTo(c);
    }

    @Test
    void refusesUnknownKeyNames() {
        assertThatThrownBy(() -> CommandSpec.parse("send_keys", json("{\"session_id\":\"s\",\"keys\":[\"Enter\",\"rm -rf\"]}")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("keys");
        assertThat(CommandSpec.parse("send_keys", json("{\"session_id\":\"s\",\"keys\":[\"Enter\",\"C-c\",\"1\",\"Up\",\"Escape\"]}")))
                .isInstanceOf(CommandSpec.SendKeys.class);
    }

    @Test
    void refusesPathTraversalInWorktreeNamesAndPaths() {
        assertThatThrownBy(() -> CommandSpec.parse("spawn_session", json("{\"repo_path\":\"/src/app\",\"branch\":\"b\","
                + "\"worktree_name\":\"../../etc\",\"provider\":\"shell\"}"))).hasMessageContaining("worktree_name");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src/../etc\",\"prompt\":\"x\"}")))
                .hasMessageContaining("cwd");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_job", json("{\"cwd\":\"relative\",\"prompt\":\"x\"}")))
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_session", json("{\"repo_path\":\"/src/app\",\"branch\":\"-x\","
                + "\"worktree_name\":\"ok\",\"provider\":\"shell\"}"))).hasMessageContaining("branch");
    }

    @Test
    void refusesPromptsThatWouldBeReadAsAgentOptions() {
        assertThatThrownBy(() -> CommandSpec.parse("spawn_session", json("{\"repo_path\":\"/src/app\",\"branch\":\"b\","
                + "\"worktree_name\":\"w\",\"provider\":\"claude\",\"prompt\":\"--dangerously-skip-permissions\"}")))
                .hasMessageContaining("prompt");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_session", json("{\"repo_path\":\"/src/app\",\"branch\":\"b\","
                + "\"worktree_name\":\"w\",\"provider\":\"codex\",\"prompt\":\" -c x\"}")))
                .hasMessageContaining("prompt");
        // a job's prompt goes to codex on stdin, never in argv: a leading '-' is just text there
        assertThat(CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src\",\"prompt\":\" -c x\"}")))
                .isEqualTo(new CommandSpec.SpawnJob("/src", " -c x"));
        assertThat(CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src\",\"prompt\":\"fix -x flag\"}")))
                .isInstanceOf(CommandSpec.SpawnJob.class);
    }

    @Test
    void checksAJobsSandboxModelThreadAndApprovals() {
        CommandSpec full = CommandSpec.parse(null, json("{\"type\":\"spawn_job\",\"cwd\":\"/src\",\"prompt\":\"p\","
                + "\"name\":\"nightly\",\"sandbox\":\"read-only\",\"model\":\"gpt-5.5\","
                + "\"resume_thread_id\":\"0199a213-81c0-7800-8aa1-bbab2a035a53\",\"approvals\":\"ask\"}"));
        assertThat(full).isEqualTo(new CommandSpec.SpawnJob("/src", "p", "nightly", "read-only", "gpt-5.5",
                "0199a213-81c0-7800-8aa1-bbab2a035a53", "ask"));
        assertThat(full.toArgs().get("name").asText()).isEqualTo("nightly");
        assertThat(CommandSpec.parse("spawn_job", full.toArgs())).isEqualTo(full);
        assertThatThrownBy(() -> CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src\",\"prompt\":\"p\","
                + "\"sandbox\":\"none\"}"))).hasMessageContaining("sandbox");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src\",\"prompt\":\"p\","
                + "\"model\":\"--yolo\"}"))).hasMessageContaining("model");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src\",\"prompt\":\"p\","
                + "\"resume_thread_id\":\"a b\"}"))).hasMessageContaining("resume_thread_id");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src\",\"prompt\":\"p\","
                + "\"approvals\":\"always\"}"))).hasMessageContaining("approvals");
        assertThatThrownBy(() -> CommandSpec.parse("spawn_job", json("{\"cwd\":\"/src\",\"prompt\":\"\"}")))
                .hasMessageContaining("prompt");
    }

    @Test
    void refusesUnknownTypesAndMissingFields() {
        assertThatThrownBy(() -> CommandSpec.parse(null, json("{\"type\":\"format_disk\"}")))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.UNKNOWN_TYPE);
        assertThatThrownBy(() -> CommandSpec.parse("send_input", json("{\"text\":\"x\"}")))
                .hasMessageContaining("session_id");
        assertThatThrownBy(() -> CommandSpec.parse("adopt_pane", json("{\"pane_id\":\"12; rm\"}")))
                .hasMessageContaining("pane_id");
        assertThatThrownBy(() -> CommandSpec.parse("rename_session", json("{\"session_id\":\"s\",\"name\":\"a\\u001bb\"}")))
                .hasMessageContaining("control character");
    }

    @Test
    void sendInputRefusesC1ControlsThatATerminalReadsAsEscapes() {
        for (String c1 : new String[] {"\\u009b2J", "\\u0085", "\\u0080", "\\u009f"}) {
            assertThatThrownBy(() -> CommandSpec.parse("send_input",
                    json("{\"session_id\":\"s\",\"text\":\"ls " + c1 + "\"}")))
                    .as(c1).hasMessageContaining("control character");
        }
        assertThat(CommandSpec.parse("send_input", json("{\"session_id\":\"s\",\"text\":\"caf\u00e9 \u00a0ok\"}")))
                .as("Latin-1 letters and the no-break space stay allowed").isNotNull();
    }
}
