package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.GitRepo;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaneScannerTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;
    private final RecordingOutbound out = new RecordingOutbound();

    @BeforeEach
    void startTmux() {
        server = PrivateTmux.start(tmp);
    }

    @AfterEach
    void stopTmux() {
        server.close();
    }

    private PaneScanner scanner() {
        return new PaneScanner(server.tmux(), out, new RecordingStatus(), PromptWatcher.NONE,
                new ProviderDetector(Path.of("/proc")), new GitInfo(Duration.ofSeconds(30), Clock.systemUTC()),
                new SessionIds(), tmp.resolve("state"), Clock.systemUTC(), Duration.ofSeconds(1));
    }

    private Session upsertFor(String paneId) {
        List<Session> s = out.of(AgentMessage.SessionsUpsert.class).stream().map(AgentMessage.SessionsUpsert::session)
                .filter(x -> x.tmux().paneId().equals(paneId)).toList();
        assertThat(s).as("upserts for " + paneId).isNotEmpty();
        return s.get(s.size() - 1);
    }

    @Test
    void seesAStandInClaudeWithItsCwdAndGitBranchAndReportsItRemovedWhenKilled() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "feature-x");
        Path claude = PrivateTmux.script(tmp.resolve("bin"), "claude", "sleep 600");
        String pane = server.window(repo, claude.toString());
        PaneScanner scanner = scanner();
        // on a busy machine tmux may report a fresh pane's path as "" for a moment: wait for the settled session
        Await.until("claude running in the repo", Duration.ofSeconds(5), () -> {
            scanner.scanOnce();
            return scanner.byPaneId(pane).map(s -> s.provider() == Provider.CLAUDE && !s.cwd().isEmpty())
                    .orElse(false);
        });
        Session s = upsertFor(pane);
        assertThat(s.provider()).isEqualTo(Provider.CLAUDE);
        assertThat(s.cwd()).isEqualTo(repo.toString());
        assertThat(s.git().branch()).isEqualTo("feature-x");
        assertThat(s.git().repo()).isEqualTo(repo.toString());
        assertThat(s.git().dirty()).isFalse();
        assertThat(s.name()).startsWith("main:");
        assertThat(s.sessionId()).startsWith("s_");
        assertThat(server.tmux().run("display-message", "-p", "-t", pane, "#{@ac_session_id}").strip())
                .isEqualTo(s.sessionId());
        assertThat(scanner.bySessionId(s.sessionId())).isPresent();

        int before = out.size();
        scanner.scanOnce();
        assertThat(out.size()).isEqualTo(before); // nothing changed, nothing sent

        server.tmux().run("kill-pane", "-t", pane);
        scanner.scanOnce();
        assertThat(out.of(AgentMessage.SessionsRemoved.class)).extracting(AgentMessage.SessionsRemoved::sessionId)
                .containsExactly(s.sessionId());
        assertThat(scanner.byPaneId(pane)).isEmpty();
    }

    @Test
    void sessionIdSurvivesARestartAndPanesKilledWhileDownAreReportedRemoved() throws Exception {
        String shellPane = server.tmux().run("display-message", "-p", "-t", "main", "#{pane_id}").strip();
        String other = server.window(tmp, "sleep", "600");
        // fixed window names: tmux's automatic name of a fresh pane can still change (it may read "tmux", the
        // forked child, and keep that for seconds), and the second scan must see what the first saw
        server.tmux().run("rename-window", "-t", shellPane, "shell");
        server.tmux().run("rename-window", "-t", other, "other");
        PaneScanner first = scanner();
        first.scanOnce();
        String shellId = first.byPaneId(shellPane).orElseThrow().sessionId();
        String otherId = first.byPaneId(other).orElseThrow().sessionId();
        assertThat(first.byPaneId(shellPane).orElseThrow().provider()).isEqualTo(Provider.SHELL);
        assertThat(first.byPaneId(other).orElseThrow().provider()).isEqualTo(Provider.OTHER);
        first.close();

        server.tmux().run("kill-pane", "-t", other);
        out.clear();
        PaneScanner second = scanner();
        second.scanOnce();
        assertThat(second.byPaneId(shellPane).orElseThrow().sessionId()).isEqualTo(shellId);
        assertThat(out.of(AgentMessage.SessionsRemoved.class)).extracting(AgentMessage.SessionsRemoved::sessionId)
                .containsExactly(otherId);
        assertThat(out.of(AgentMessage.SessionsUpsert.class)).isEmpty(); // unchanged: not announced again
    }

    @Test
    void aNuPaneIsAShellAndGetsAShellsStatusAsEveryListedShellDoes() throws Exception {
        Path nu = tmp.resolve("bin/nu"); // nushell is not installed: a program whose name is nu is what tmux sees
        Files.createDirectories(nu.getParent());
        Files.copy(Path.of("/bin/sleep"), nu);
        nu.toFile().setExecutable(true);
        String shell = server.window(tmp, nu.toString(), "600");
        String other = server.window(tmp, "sleep", "600");
        PaneScanner scanner = new PaneScanner(server.tmux(), out,
                new PaneStatusDetector(server.tmux(), Clock.systemUTC(), PaneStatusDetector.Config.DEFAULTS),
                PromptWatcher.NONE, new ProviderDetector(Path.of("/proc")),
                new GitInfo(Duration.ofSeconds(30), Clock.systemUTC()), new SessionIds(), tmp.resolve("state"),
                Clock.systemUTC(), Duration.ofSeconds(1));
        Await.until("nu and sleep in their panes' foreground", Duration.ofSeconds(5), () -> {
            scanner.scanOnce();
            return scanner.byPaneId(shell).map(Session::provider).orElse(null) == Provider.SHELL
                    && scanner.byPaneId(other).map(Session::status).orElse(null) == SessionStatus.RUNNING;
        });
        assertThat(scanner.byPaneId(shell).orElseThrow()).extracting(Session::provider, Session::status)
                .as("a shell is idle at its prompt").containsExactly(Provider.SHELL, SessionStatus.IDLE);
        assertThat(scanner.byPaneId(other).orElseThrow()).extracting(Session::provider, Session::status)
                .as("anything else holding the foreground is running").containsExactly(Provider.OTHER,
                        SessionStatus.RUNNING);
        for (String name : ProviderDetector.SHELLS) {
            assertThat(ProviderDetector.byName(name, List.of())).as(name).isEqualTo(Provider.SHELL);
            assertThat(PaneStatusDetector.isShell("/usr/bin/" + name)).as(name).isTrue();
            assertThat(PaneStatusDetector.isShell("-" + name)).as("login " + name).isTrue();
        }
    }

    @Test
    void aRenamedPaneIsAnnouncedWithItsNewName() throws Exception {
        PaneScanner scanner = scanner();
        scanner.scanOnce();
        String pane = server.tmux().run("display-message", "-p", "-t", "main", "#{pane_id}").strip();
        server.tmux().run("set-option", "-p", "-t", pane, SessionIds.NAME_OPTION, "my agent");
        scanner.scanOnce();
        assertThat(upsertFor(pane).name()).isEqualTo("my agent");
    }

    @Test
    void statusChangesAreRecordedAsEventsButTheFirstAnnouncementIsNot() throws Exception {
        AtomicReference<StatusDetector.Verdict> verdict =
                new AtomicReference<>(new StatusDetector.Verdict(SessionStatus.IDLE, false));
        StatusDetector fixed = new StatusDetector() {
            @Override
            public Verdict detect(dev.agentcommander.agentd.tmux.Pane pane, Provider provider) {
                return verdict.get();
            }

            @Override
            public void hookEvent(String paneId, String eventName, com.fasterxml.jackson.databind.JsonNode input) {
            }

            @Override
            public void forget(String paneId) {
            }
        };
        PaneScanner scanner = new PaneScanner(server.tmux(), out, fixed, PromptWatcher.NONE,
                new ProviderDetector(Path.of("/proc")), new GitInfo(Duration.ofSeconds(30), Clock.systemUTC()),
                new SessionIds(), tmp.resolve("state"), Clock.systemUTC(), Duration.ofSeconds(1));
        scanner.scanOnce();
        assertThat(out.of(AgentMessage.SessionsUpsert.class)).hasSize(1);
        assertThat(out.of(AgentMessage.EventsAppend.class)).isEmpty();
        String sid = out.of(AgentMessage.SessionsUpsert.class).get(0).session().sessionId();

        verdict.set(new StatusDetector.Verdict(SessionStatus.WAITING, true));
        scanner.scanOnce();
        scanner.scanOnce(); // unchanged: nothing more
        verdict.set(new StatusDetector.Verdict(SessionStatus.WAITING, false));
        scanner.scanOnce();
        List<AgentMessage.EventsAppend> events = out.of(AgentMessage.EventsAppend.class);
        assertThat(events).extracting(AgentMessage.EventsAppend::sessionId, AgentMessage.EventsAppend::eventType)
                .containsExactly(tuple(sid, "status.changed"), tuple(sid, "status.changed"));
        assertThat(events.get(0).data().toString())
                .isEqualTo("{\"from\":\"IDLE\",\"to\":\"WAITING\",\"needs_attention\":true}");
        assertThat(events.get(1).data().toString())
                .isEqualTo("{\"from\":\"WAITING\",\"to\":\"WAITING\",\"needs_attention\":false}");
        AgentMessage upsert = out.of(AgentMessage.SessionsUpsert.class).get(1);
        assertThat(out.indexOf(upsert)).isEqualTo(out.indexOf(events.get(0)) - 1);
    }
}
