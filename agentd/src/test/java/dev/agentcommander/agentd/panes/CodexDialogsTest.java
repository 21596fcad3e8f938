package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Codex dialog parser against the approval dialogs the real Codex TUI drew (recorded in a tmux pane against a
 * fake Responses API, {@code codex -a on-request -s read-only} and an {@code exec_command} asking for escalation),
 * and against what must not be guessed.
 */
class CodexDialogsTest {
    static final String CODEX_VERSION = "0.169.0";
    private static final Path GOLDEN = Path.of("..", "e2e", "src", "test", "resources", "golden",
            "codex-" + CODEX_VERSION);

    private static String golden(String name) throws IOException {
        return Files.readString(GOLDEN.resolve(name));
    }

    @Test
    void anExecDialogGivesTheCommandAndTheReasonAndItsNumberedOptions() throws IOException {
        String s = golden("dialog-exec-command.txt");
        ScreenMenu m = ScreenMenu.onScreen(s);
        assertThat(m.readable()).isTrue();
        assertThat(m.toolName()).isEqualTo("Bash");
        assertThat(m.summary()).isEqualTo("touch built.txt && echo hi");
        assertThat(m.description()).isEqualTo("Create the build marker file");
        assertThat(m.question()).isEqualTo("Would you like to run the following command?");
        assertThat(m.options()).containsExactly("Yes, proceed (y)",
                "Yes, and don't ask again for commands that start with `touch built.txt` (p)",
                "No, and tell Codex what to do differently (esc)");
        assertThat(m.numbered()).isTrue();
        assertThat(ScreenMenu.cursorOnScreen(s)).isZero();
        assertThat(m.option("Yes")).as("the plain Yes, not the lasting one").isZero();
        assertThat(m.option("No")).isEqualTo(2);
    }

    @Test
    void aCommandAndAnOptionWrappedByTheTuiAreReadWhole() throws IOException {
        ScreenMenu m = ScreenMenu.onScreen(golden("dialog-exec-command-wrapped.txt"));
        assertThat(m.readable()).isTrue();
        assertThat(m.summary()).as("Codex's own wrap stays a line, its indent dropped")
                .isEqualTo("printf \"%s\\n\" alpha beta gamma delta > list.txt && grep -n beta list.txt\n"
                        + "&& wc -l list.txt && echo finished-the-long-command");
        assertThat(m.options()).hasSize(3);
        assertThat(m.options().get(1)).isEqualTo("Yes, and don't ask again for commands that start with `printf"
                + " \"%s\\n\" alpha beta gamma delta > list.txt && grep -n beta list.txt && wc -l list.txt &&"
                + " echo finished-the-long-command` (p)");
    }

    @Test
    void theStatusDetectorsParserSeesTheSameDialog() throws IOException {
        String s = golden("dialog-exec-command.txt");
        assertThat(CodexDialogs.parse(ScreenPatterns.lines(s)).menu()).isEqualTo(ScreenMenu.onScreen(s));
        assertThat(ScreenPatterns.classify(dev.agentcommander.schema.Provider.CODEX, ScreenPatterns.tail(s)))
                .isEqualTo(ScreenPatterns.Signal.WAITING);
    }

    @Test
    void aDialogWithoutItsCommandLineIsUnreadableNotGuessed() throws IOException {
        String s = golden("dialog-exec-command.txt").replace("  $ touch built.txt && echo hi", "");
        ScreenMenu m = ScreenMenu.onScreen(s);
        assertThat(m.readable()).isFalse();
        assertThat(m.summary()).isNull();
        assertThat(m.options()).hasSize(3);
    }

    @Test
    void anotherCodexApprovalIsAMenuButUnreadable() throws IOException {
        String s = golden("dialog-exec-command.txt").replace("Would you like to run the following command?",
                "Would you like to make the following edits?");
        ScreenMenu m = ScreenMenu.onScreen(s);
        assertThat(m.readable()).isFalse();
        assertThat(m.toolName()).isEqualTo("unknown");
        assertThat(m.question()).isEqualTo("Would you like to make the following edits?");
    }

    @Test
    void theFootersWordsWithoutAMenuAreNoDialog() {
        assertThat(ScreenMenu.onScreen("• docs say: Press enter to confirm or esc to cancel\n\n"
                + "  Press enter to confirm or esc to cancel\n› Ask Codex to do anything\n")).isNull();
        assertThat(ScreenMenu.onScreen("  1. alpha\n  3. gamma\n  Press enter to confirm or esc to cancel\n"))
                .as("numbers out of sequence").isNull();
    }
}
