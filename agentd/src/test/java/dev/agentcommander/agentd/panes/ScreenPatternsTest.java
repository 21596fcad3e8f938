package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.panes.ScreenPatterns.Signal;
import dev.agentcommander.schema.Provider;
import org.junit.jupiter.api.Test;

class ScreenPatternsTest {
    private static Signal claude(String screen) {
        return ScreenPatterns.classify(Provider.CLAUDE, ScreenPatterns.tail(screen));
    }

    private static Signal codex(String screen) {
        return ScreenPatterns.classify(Provider.CODEX, ScreenPatterns.tail(screen));
    }

    @Test
    void claudeBusyLinesReadAsRunning() {
        assertThat(claude("● Reading files\n✻ Herding… (8m 39s · ↓ 834 tokens)\n\n> \n")).isEqualTo(Signal.RUNNING);
        assertThat(claude("✢ Pondering… (esc to interrupt)\n")).isEqualTo(Signal.RUNNING);
        assertThat(claude("· Whirring… (12s)\n")).isEqualTo(Signal.RUNNING);
        assertThat(claude("some output\n  esc to interrupt\n")).isEqualTo(Signal.RUNNING);
    }

    @Test
    void claudeMenusReadAsWaitingEvenWithABusyLine() {
        assertThat(claude("│ Do you want to proceed?  │\n│ ❯ 1. Yes │\n│   2. No │\n")).isEqualTo(Signal.WAITING);
        assertThat(claude("Do you want to make this edit to a.py?\n  1. Yes\n❯ 2. Yes, allow all\n"))
                .isEqualTo(Signal.WAITING);
        assertThat(claude("✻ Herding… (3s · ↓ 1 tokens)\n│ ❯ 1. Yes │\n")).isEqualTo(Signal.WAITING);
    }

    @Test
    void claudeIdleScreensAndProseDoNotMatch() {
        assertThat(claude("╭──╮\n│ > │\n╰──╯\n  ? for shortcuts\n")).isEqualTo(Signal.NONE);
        assertThat(claude("● I will wait… (as you asked)\nThe answer is 1. Yes, really\n")).isEqualTo(Signal.NONE);
    }

    @Test
    void onlyTheBottomOfTheScreenCounts() {
        StringBuilder s = new StringBuilder("│ Do you want to proceed? │\n│ ❯ 1. Yes │\n");
        for (int i = 0; i < 40; i++) {
            s.append("line ").append(i).append('\n');
        }
        s.append("\n\n\n");
        assertThat(claude(s.toString())).isEqualTo(Signal.NONE);
    }

    @Test
    void codexConfirmPromptReadsAsWaitingAndItsWorkingLineAsRunning() {
        assertThat(codex("Allow command?\n› 1. Yes\nPress enter to confirm or esc to cancel\n")).isEqualTo(Signal.WAITING);
        assertThat(codex("• Working (5s • esc to interrupt)\n")).isEqualTo(Signal.RUNNING);
        assertThat(codex("› \n")).isEqualTo(Signal.NONE);
        assertThat(ScreenPatterns.classify(Provider.SHELL, ScreenPatterns.tail("esc to interrupt\n")))
                .isEqualTo(Signal.NONE);
    }

    @Test
    void autoModesStopScreenReadsAsWaiting() {
        assertThat(claude("  Auto mode can't check actions in this session\n\n  You can stay in auto mode …\n\n"
                + "  Enter to stay in auto mode · shift+Tab to leave for accept edits mode and stop · Esc to cancel\n"))
                .isEqualTo(Signal.WAITING);
    }
}
