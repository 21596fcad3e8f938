package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import dev.agentcommander.e2e.realclients.RecordingHook.Call;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Write and Edit permission dialogs of Claude Code 2.1.328 as a keys-mode reader sees them, and Escape. */
class ClaudeDialogsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Golden golden = Golden.claude();

    @TempDir
    Path dir;

    @Test
    void writeAndEditDialogsNameOnlyTheFileAndEscapeRejectsLikeNo() throws Exception {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of())) {
            String file = s.claude.repo().resolve("notes.txt").toString();
            s.api.then(Turn.toolUse("Write", Map.of("file_path", file, "content", "hello\nworld\n")),
                    Turn.toolUse("Read", Map.of("file_path", file)),
                    Turn.toolUse("Edit", Map.of("file_path", file, "old_string", "hello", "new_string", "goodbye")),
                    Turn.text("Stopped."));
            s.hook.hold();
            s.claude.submit("write notes");

            Call write = s.hook.await("PermissionRequest", WAIT);
            s.claude.awaitScreen(ClaudeCode.DIALOG_MARK, WAIT);
            golden.text("dialog-write.txt", s.dialog());
            golden.json("permission-request-write.json", s.scrubbed(write));
            s.claude.answerInPane("1");
            golden.json("post-tool-use-write.json", s.scrubbed(s.hook.await("PostToolUse", WAIT)));

            Call edit = s.hook.await("PermissionRequest", 2, WAIT);
            assertThat(s.hook.calls("PostToolUse")).as("Read inside the project asks nothing").hasSize(2);
            s.claude.awaitScreen(ClaudeCode.DIALOG_MARK, WAIT);
            golden.text("dialog-edit.txt", s.dialog());
            golden.json("permission-request-edit.json", s.scrubbed(edit));

            s.claude.answerInPane("Escape");
            s.claude.awaitScreen("Rejected update to notes.txt", WAIT);
            Await.value("the waiting Edit hook to be ended", WAIT, () -> !s.hook.alive(edit), () -> "");
            assertThat(s.hook.ended(edit)).as("Escape kills the waiting hook, like No").isFalse();
            assertThat(s.hook.alive(write)).as("the Write hook, answered Yes in the pane, still waits").isTrue();
            assertThat(Files.readString(Path.of(file))).isEqualTo("hello\nworld\n");
            assertThat(s.api.modelCalls()).hasSize(3);
        }
    }

    @Test
    void aFileCommandDialogOffersDirectoryAccessWhereOtherCommandsOfferARule() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("touch a.txt", "Create a file"),
                Turn.text("Left alone.")))) {
            s.hook.hold();
            s.claude.submit("touch it");
            s.hook.await("PermissionRequest", WAIT);
            s.claude.awaitScreen(ClaudeCode.DIALOG_MARK, WAIT);
            String dialog = s.dialog();
            golden.text("dialog-bash-touch.txt", dialog);
            assertThat(dialog).doesNotContain("don’t ask again");
            s.claude.answerInPane("3");
            assertThat(s.claude.repo().resolve("a.txt")).doesNotExist();
        }
    }

    @Test
    void aCommandWithANestedCommandGetsADialogWithoutALastingChoice() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("touch built.txt && echo $(id -u)",
                "Record the build"), Turn.text("Left alone.")))) {
            s.hook.hold();
            s.claude.submit("record the build");
            s.hook.await("PermissionRequest", WAIT);
            s.claude.awaitScreen(ClaudeCode.DIALOG_MARK, WAIT);
            String dialog = s.dialog();
            golden.text("dialog-bash-nested-command.txt", dialog);
            assertThat(dialog).contains("A nested command in this command can't be checked before it runs")
                    .doesNotContain("2. Yes");
            s.claude.answerInPane("2"); // No is the second option here
            assertThat(s.claude.repo().resolve("built.txt")).doesNotExist();
        }
    }
}
