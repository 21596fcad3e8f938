package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.MutableClock;
import dev.agentcommander.schema.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pane's verdict is re-read whenever tmux's foreground command or the process tree under the pane changes, and
 * never stands longer than {@link ProviderDetector#MAX_AGE} (a process that execs in place keeps its pid). Runs on
 * a /proc of the test's making, so each change is exact.
 */
class ProviderDetectorTest {
    @TempDir
    Path proc;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T06:00:00Z"));

    private void process(int pid, String comm, String argv, int... children) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(pid + "/task/" + pid));
        Files.writeString(proc.resolve(pid + "/comm"), comm + "\n");
        Files.writeString(proc.resolve(pid + "/cmdline"), argv.replace(' ', '\0') + "\0");
        StringBuilder c = new StringBuilder();
        for (int child : children) {
            c.append(child).append(' ');
        }
        Files.writeString(dir.resolve("children"), c.toString());
    }

    @Test
    void aNewProcessUnderThePaneIsSeenAtTheNextPoll() throws IOException {
        ProviderDetector d = new ProviderDetector(proc, clock);
        process(100, "bash", "-bash");
        assertThat(d.detect("bash", 100)).isEqualTo(Provider.SHELL);
        // a wrapper script's node started below the shell: the foreground name stays "bash", the tree grew
        process(101, "node", "node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js");
        process(100, "bash", "-bash", 101);
        assertThat(d.detect("bash", 100)).isEqualTo(Provider.CLAUDE);
        process(100, "bash", "-bash");
        assertThat(d.detect("bash", 100)).isEqualTo(Provider.SHELL);
    }

    @Test
    void anUnchangedPaneKeepsItsVerdictUntilTheMaxAgeThenIsReadAgain() throws IOException {
        ProviderDetector d = new ProviderDetector(proc, clock);
        process(100, "bash", "-bash", 101);
        process(101, "sh", "sh ./wrapper");
        assertThat(d.detect("bash", 100)).isEqualTo(Provider.SHELL);
        // pid 101 execs codex in place: same pid, same tree, same foreground
        process(101, "codex", "codex");
        clock.advance(ProviderDetector.MAX_AGE.minus(Duration.ofMillis(1)));
        assertThat(d.detect("bash", 100)).isEqualTo(Provider.SHELL);
        clock.advance(Duration.ofMillis(1));
        assertThat(d.detect("bash", 100)).isEqualTo(Provider.CODEX);
    }

    @Test
    void aChangedForegroundCommandIsReadAtOnce() throws IOException {
        ProviderDetector d = new ProviderDetector(proc, clock);
        process(100, "bash", "-bash");
        assertThat(d.detect("bash", 100)).isEqualTo(Provider.SHELL);
        process(100, "vim", "vim notes.txt");
        assertThat(d.detect("vim", 100)).isEqualTo(Provider.OTHER);
        assertThat(d.detect("claude", 100)).isEqualTo(Provider.CLAUDE); // by name, no /proc needed
    }
}
