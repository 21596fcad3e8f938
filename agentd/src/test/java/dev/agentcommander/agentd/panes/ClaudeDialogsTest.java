package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dialog parser against the dialogs real Claude Code drew (the e2e golden files recorded from real runs, so a
 * new Claude version that redraws its dialog fails here as well as there), and against what must not be guessed.
 */
class ClaudeDialogsTest {
    static final String CLAUDE_VERSION = "2.1.328";
    private static final Path GOLDEN = Path.of("..", "e2e", "src", "test", "resources", "golden",
            "claude-" + CLAUDE_VERSION);

    /** A recorded dialog with some screen above it (banner, earlier output), as a capture shows it. */
    private static String screen(String golden) throws IOException {
        return "╭───╮\n│ ✻ Welcome │\n╰───╯\n\n❯ tag the release\n\n● I will.\n\n" + Files.readString(GOLDEN.resolve(golden));
    }

    @Test
    void aBashDialogGivesTheCommandFromTheDashedBoxNotTheDescription() throws IOException {
        ScreenMenu m = ScreenMenu.onScreen(screen("dialog-bash.txt"));
        assertThat(m).isEqualTo(new ScreenMenu("Bash", "git tag v1", "Tag the release", "Do you want to proceed?",
                List.of("Yes", "Yes, and don’t ask again for: git tag *", "No"), true, true));
        assertThat(ScreenMenu.cursorOnScreen(screen("dialog-bash.txt"))).isZero();
        assertThat(m.option("Yes")).isZero();
        assertThat(m.option("No")).isEqualTo(2);
        ScreenMenu nested = ScreenMenu.onScreen(screen("dialog-bash-nested-command.txt"));
        assertThat(nested.summary()).isEqualTo("touch built.txt && echo $(id -u)");
        assertThat(nested.options()).as("no lasting choice for $(…)").containsExactly("Yes", "No");
        assertThat(nested.option("No")).isEqualTo(1);
        ScreenMenu touch = ScreenMenu.onScreen(screen("dialog-bash-touch.txt"));
        assertThat(touch.summary()).isEqualTo("touch a.txt");
        assertThat(touch.description()).isEqualTo("Create a file");
    }

    @Test
    void writeAndEditDialogsGiveTheFileNameEvenUnderALongPreview() throws IOException {
        ScreenMenu write = ScreenMenu.onScreen(screen("dialog-write.txt"));
        assertThat(write.toolName()).isEqualTo("Write");
        assertThat(write.summary()).isEqualTo("notes.txt");
        assertThat(write.readable()).isTrue();
        String edit = Files.readString(GOLDEN.resolve("dialog-edit.txt"));
        String longDiff = edit.replace(" 2  world\n", " 2  world\n" + " 3  more\n".repeat(40));
        ScreenMenu e = ScreenMenu.onScreen(longDiff);
        assertThat(e.toolName()).isEqualTo("Edit");
        assertThat(e.summary()).isEqualTo("notes.txt");
        assertThat(e.question()).isEqualTo("Do you want to make this edit to notes.txt?");
    }

    @Test
    void autoModesDialogIsUnnumberedWithTheCursorOnNo() throws IOException {
        String s = screen("dialog-auto-mode-approval.txt");
        ScreenMenu m = ScreenMenu.onScreen(s);
        assertThat(m.summary()).isEqualTo("git tag v1");
        assertThat(m.numbered()).isFalse();
        assertThat(m.options()).containsExactly("No", "Yes");
        assertThat(ScreenMenu.cursorOnScreen(s)).isZero();
    }

    @Test
    void aDialogThatDoesNotParseIsUnreadableNotGuessed() {
        String boxed = "● I'll clean up.\n╭──────────────╮\n│ Bash command │\n│   rm -rf build │\n"
                + "│ Do you want to proceed? │\n│ ❯ 1. Yes │\n│   2. Yes, and don't ask again │\n╰──────╯\n";
        ScreenMenu old = ScreenMenu.onScreen(boxed);
        assertThat(old.readable()).isFalse();
        assertThat(old.summary()).isNull();
        String rule = "─".repeat(60);
        String noBox = rule + "\n Bash command\n Remove the build output\n\n Do you want to proceed?\n ❯ 1. Yes\n"
                + "   2. No\n\n Esc to cancel · Tab to amend\n";
        ScreenMenu m = ScreenMenu.onScreen(noBox);
        assertThat(m.readable()).as("no dashed box: the command is not there, the description is no substitute")
                .isFalse();
        assertThat(m.summary()).isNull();
        assertThat(m.toolName()).isEqualTo("Bash");
        String unknownTitle = rule + "\n Tool use\n   github - create_issue(title: x) (MCP)\n\n"
                + " Do you want to proceed?\n ❯ 1. Yes\n   2. No\n\n Esc to cancel\n";
        assertThat(ScreenMenu.onScreen(unknownTitle).readable()).isFalse();
        assertThat(ScreenMenu.onScreen(unknownTitle).options()).containsExactly("Yes", "No");
    }

    @Test
    void screensWithoutADialogHaveNone() throws IOException {
        assertThat(ScreenMenu.onScreen("╭──╮\n│ > │\n╰──╯\n")).isNull();
        assertThat(ScreenMenu.onScreen("✻ Herding… (3s · ↓ 1 tokens)\n")).isNull();
        assertThat(ScreenMenu.onScreen(Files.readString(GOLDEN.resolve("screen-auto-mode-stop.txt"))))
                .as("the auto-mode stop screen is no permission dialog").isNull();
        StringBuilder scrolled = new StringBuilder(Files.readString(GOLDEN.resolve("dialog-bash.txt")));
        for (int i = 0; i < 40; i++) {
            scrolled.append("line ").append(i).append('\n');
        }
        assertThat(ScreenMenu.onScreen(scrolled.toString())).as("an old dialog scrolled up is not on screen").isNull();
    }
}
