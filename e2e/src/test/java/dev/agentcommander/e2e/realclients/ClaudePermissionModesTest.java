package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which permission modes of real Claude Code 2.1.328 call the PermissionRequest hook at all (docs/real-clients.md,
 * "Approvals under each permission mode"): {@code default} and {@code plan} ask for a command, {@code acceptEdits}
 * asks for commands but not for file edits, {@code bypassPermissions} never asks. ({@code auto}: ClaudeAutoModeTest.)
 */
class ClaudePermissionModesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void acceptEditsWritesFilesUnaskedButStillAsksForACommand() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(
                Turn.toolUse("Write", java.util.Map.of("file_path", "notes.txt", "content", "hello\n")),
                Turn.bash("git tag v1", "Tag the release"), Turn.text("Done.")), b -> b.permissionMode("acceptEdits"))) {
            s.hook.decide(ClaudeDecisions.allow());
            s.claude.submit("write notes and tag");
            RecordingHook.Call request = s.hook.await("PermissionRequest", WAIT);
            assertThat(request.payload().path("tool_name").asText()).as("the Write ran unasked").isEqualTo("Bash");
            assertThat(request.payload().path("permission_mode").asText()).isEqualTo("acceptEdits");
            s.hook.await("Stop", WAIT);
            assertThat(s.hook.calls("PermissionRequest")).hasSize(1);
            assertThat(s.claude.repo().resolve("notes.txt")).exists();
            assertThat(GitRepo.git(s.claude.repo(), "tag")).isEqualTo("v1\n");
        }
    }

    @Test
    void bypassPermissionsNeverCallsThePermissionRequestHook() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("git tag v1", "Tag the release"),
                Turn.text("Tagged.")),
                // as root (this test machine) Claude refuses bypassPermissions unless told it runs in a sandbox
                b -> b.permissionMode("bypassPermissions").env("IS_SANDBOX", "1"))) {
            s.claude.submit("tag the release");
            s.hook.await("PostToolUse", WAIT);
            s.hook.await("Stop", WAIT);
            assertThat(s.hook.calls("PermissionRequest")).isEmpty();
            assertThat(s.hook.await("PreToolUse", WAIT).payload().path("permission_mode").asText())
                    .isEqualTo("bypassPermissions");
            assertThat(GitRepo.git(s.claude.repo(), "tag")).isEqualTo("v1\n");
        }
    }

    @Test
    void planModeStillAsksForACommandThroughThePermissionRequestHook() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("git tag v1", "Tag the release"),
                Turn.text("Planned.")), b -> b.permissionMode("plan"))) {
            s.hook.decide(ClaudeDecisions.deny("planning only"));
            s.claude.submit("tag the release");
            RecordingHook.Call request = s.hook.await("PermissionRequest", WAIT);
            assertThat(request.payload().path("permission_mode").asText()).isEqualTo("plan");
            s.hook.await("Stop", WAIT);
            assertThat(FakeAnthropic.toolResults(s.api.modelCalls().get(1)).get(0).path("is_error").asBoolean())
                    .isTrue();
            assertThat(GitRepo.git(s.claude.repo(), "tag")).isEmpty();
        }
    }
}
