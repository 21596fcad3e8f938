package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness end to end with the real Claude Code: its hook gets the real payload, the model gets the answer. */
class ClaudeCodeSmokeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aHookDenyWithMessageReachesTheModelAsAnErrorToolResult() {
        try (FakeAnthropic api = new FakeAnthropic(); RecordingHook hook = new RecordingHook(dir.resolve("hook"))) {
            api.then(Turn.bash("rm -rf build", "Remove the build output"), Turn.text("Understood, I left it."));
            hook.decide(ClaudeDecisions.deny("no"));
            try (ClaudeCode claude = ClaudeCode.in(dir.resolve("claude"), api)
                    .record(hook, "PermissionRequest", "PostToolUse", "Stop").start()) {
                claude.submit("clean up the build output");

                RecordingHook.Call call = hook.await("PermissionRequest", WAIT);
                assertThat(hook.tmuxPane(call)).as("hooks see the pane's TMUX_PANE").isEqualTo(claude.paneId());
                JsonNode request = call.payload();
                assertThat(request.path("hook_event_name").asText()).isEqualTo("PermissionRequest");
                assertThat(request.path("tool_name").asText()).isEqualTo("Bash");
                assertThat(request.path("tool_input").path("command").asText()).isEqualTo("rm -rf build");
                assertThat(request.path("cwd").asText()).isEqualTo(claude.repo().toString());

                List<Recorded> calls = api.await(FakeAnthropic::isModelCall, 2, WAIT);
                List<JsonNode> results = FakeAnthropic.toolResults(calls.get(1));
                assertThat(results).hasSize(1);
                assertThat(results.get(0).path("tool_use_id").asText()).isEqualTo("toolu_fake_0001");
                assertThat(results.get(0).path("is_error").asBoolean()).isTrue();
                assertThat(ClaudeDecisions.text(results.get(0).path("content"))).isEqualTo("no");

                hook.await("Stop", WAIT);
                assertThat(hook.calls("PostToolUse")).as("a denied call never runs").isEmpty();
                assertThat(claude.repo().resolve("build")).doesNotExist();
                assertThat(api.unscriptedCalls()).isZero();
            }
        }
    }
}
