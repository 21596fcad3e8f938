package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import dev.agentcommander.e2e.realclients.RecordingHook.Call;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Auto mode, the default of 2.1.328 for new users, behind a custom base URL: a command inside the project runs
 * unasked, a command that needs the server-side check stops the turn with "Auto mode can't check actions in this
 * session", and from then on approvals appear only on screen — no PermissionRequest hook at all.
 */
class ClaudeAutoModeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Golden golden = Golden.claude();

    @TempDir
    Path dir;

    @Test
    void theAutoModeStopNeedsAPersonAndItsApprovalsNeverReachTheHook() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("touch a.txt", "Create a file"),
                Turn.bash("git tag v1", "Tag the release"), Turn.text("Tagged.")), b -> b.permissionMode("auto"))) {
            s.claude.submit("tag the release");
            s.claude.awaitScreen("Auto mode can't check actions in this session", WAIT);
            golden.text("screen-auto-mode-stop.txt", s.dialog());
            Call needsInput = s.hook.await("Notification", WAIT);
            golden.json("notification-agent_needs_input.json", s.scrubbed(needsInput));
            assertThat(s.hook.calls("PostToolUse")).as("touch inside the project ran unasked").hasSize(1);
            assertThat(s.claude.repo().resolve("a.txt")).exists();

            s.claude.answerInPane("Enter"); // "Enter to stay in auto mode"
            s.claude.awaitScreen("so this one needs your approval", WAIT);
            golden.text("dialog-auto-mode-approval.txt", s.dialog());
            Call prompt = s.hook.await("Notification", 2, WAIT);
            assertThat(prompt.payload().path("notification_type").asText()).isEqualTo("permission_prompt");
            System.out.printf("claude %s: auto mode: agent_needs_input %d ms after PreToolUse%n",
                    RealClis.CLAUDE_VERSION,
                    (needsInput.atNanos() - s.hook.await("PreToolUse", 2, WAIT).atNanos()) / 1_000_000);

            s.claude.answerInPane("Down", "Enter"); // the cursor starts on "No"
            s.hook.await("PostToolUse", 2, WAIT);
            s.hook.await("Stop", WAIT);
            assertThat(s.hook.calls("PermissionRequest")).as("auto mode never calls the PermissionRequest hook")
                    .isEmpty();
            assertThat(GitRepo.git(s.claude.repo(), "tag")).isEqualTo("v1\n");
        }
    }
}
