package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import dev.agentcommander.e2e.realclients.RecordingHook.Call;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What real Claude Code 2.1.328 sends and does around one permission request answered in the pane, pinned as
 * golden files (docs/real-clients.md): the payload of every hook, the dialog, and what happens to a hook that is
 * still waiting when the person answers on screen.
 */
class ClaudePermissionFlowTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Golden golden = Golden.claude();

    @TempDir
    Path dir;

    @Test
    void answeringYesInThePaneRunsTheToolAndLeavesTheWaitingHookRunning() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("git tag v1", "Tag the release"),
                Turn.text("Tagged.")))) {
            s.hook.hold();
            s.claude.submit("tag the release");

            Call request = s.hook.await("PermissionRequest", WAIT);
            s.claude.awaitScreen(ClaudeCode.DIALOG_MARK, WAIT);
            golden.text("dialog-bash.txt", s.dialog());
            Call notification = s.hook.await("Notification", WAIT);
            System.out.printf("claude %s: permission_prompt Notification %d ms after PermissionRequest%n",
                    RealClis.CLAUDE_VERSION, (notification.atNanos() - request.atNanos()) / 1_000_000);

            s.claude.answerInPane("1");
            Call post = s.hook.await("PostToolUse", WAIT);
            Call stop = s.hook.await("Stop", WAIT);
            assertThat(s.hook.alive(request)).as("the PermissionRequest hook still waits after the pane answered")
                    .isTrue();
            assertThat(post.payload().path("tool_use_id").asText())
                    .isEqualTo(s.hook.await("PreToolUse", WAIT).payload().path("tool_use_id").asText())
                    .isEqualTo("toolu_fake_0001");
            assertThat(request.payload().has("tool_use_id")).as("PermissionRequest carries no tool_use_id").isFalse();
            assertThat(post.payload().path("prompt_id").asText()).isEqualTo(request.payload().path("prompt_id").asText());
            assertThat(s.hook.calls("PermissionDenied")).isEmpty();
            assertThat(s.hook.calls("PostToolUseFailure")).isEmpty();
            assertThat(GitRepo.git(s.claude.repo(), "tag")).isEqualTo("v1\n");

            golden.json("session-start.json", s.scrubbed(s.hook.await("SessionStart", WAIT)));
            golden.json("user-prompt-submit.json", s.scrubbed(s.hook.await("UserPromptSubmit", WAIT)));
            golden.json("pre-tool-use-bash.json", s.scrubbed(s.hook.await("PreToolUse", WAIT)));
            golden.json("permission-request-bash.json", s.scrubbed(request));
            golden.json("notification-permission_prompt.json", s.scrubbed(notification));
            golden.json("post-tool-use-bash.json", s.scrubbed(post));
            golden.json("stop.json", s.scrubbed(stop));

            // A decision the held hook prints now, after the tool ran, changes nothing.
            s.hook.decide(ClaudeDecisions.deny("too late"));
            s.hook.release();
            Await.value("the released hook to end", WAIT, () -> s.hook.ended(request), () -> "");
            assertThat(s.api.modelCalls()).hasSize(2);
            assertThat(s.api.unscriptedCalls()).isZero();
        }
    }

    @Test
    void answeringNoInThePaneKillsTheWaitingHookAndFiresNoOtherHook() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("git tag v1", "Tag the release"),
                Turn.text("Fine, I will not.")))) {
            s.hook.hold();
            s.claude.submit("tag the release");
            Call request = s.hook.await("PermissionRequest", WAIT);
            s.claude.answerInPane("3");
            String screen = s.claude.awaitScreen("What should Claude do instead?", WAIT);
            assertThat(screen).contains("Interrupted");
            Await.value("the waiting hook to be ended by Claude", WAIT, () -> !s.hook.alive(request), () -> "");
            assertThat(s.hook.ended(request)).as("killed, not finished").isFalse();
            assertThat(s.api.modelCalls()).as("the turn stops: no call to the model").hasSize(1);

            s.claude.submit("ok, never mind");
            s.hook.await("UserPromptSubmit", 2, WAIT);
            s.hook.await("Stop", WAIT);
            List<String> events = s.hook.calls().stream().map(Call::event).toList();
            assertThat(events).containsExactly("SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest",
                    "UserPromptSubmit", "Stop");
            var results = FakeAnthropic.toolResults(s.api.modelCalls().get(1));
            golden.json("tool-result-rejected-in-pane.json", s.scrub.json(results.get(0)));
        }
    }
}
