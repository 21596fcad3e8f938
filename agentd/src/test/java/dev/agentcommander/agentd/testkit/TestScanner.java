package dev.agentcommander.agentd.testkit;

import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.PaneScanner;
import dev.agentcommander.agentd.panes.PromptWatcher;
import dev.agentcommander.agentd.panes.ProviderDetector;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.tmux.Tmux;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A real PaneScanner (real /proc, real git) with {@link RecordingStatus} and no prompt watcher, for tests. */
public final class TestScanner {
    private TestScanner() {
    }

    public static PaneScanner of(Tmux tmux, Outbound out, Path stateDir) {
        return new PaneScanner(tmux, out, new RecordingStatus(), PromptWatcher.NONE,
                new ProviderDetector(Path.of("/proc")), new GitInfo(Duration.ofSeconds(30), Clock.systemUTC()),
                new SessionIds(), stateDir, Clock.systemUTC(), Duration.ofSeconds(1));
    }
}
