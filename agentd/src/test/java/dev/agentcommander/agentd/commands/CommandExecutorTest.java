package dev.agentcommander.agentd.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.console.Console;
import dev.agentcommander.agentd.console.ConsoleException;
import dev.agentcommander.agentd.hooks.ProjectHooks;
import dev.agentcommander.agentd.jobs.JobRunner;
import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.PaneScanner;
import dev.agentcommander.agentd.panes.PromptWatcher;
import dev.agentcommander.agentd.panes.ProviderDetector;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.GitRepo;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingConsole;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingSent;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.ServerMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandExecutorTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;
    private final RecordingOutbound out = new RecordingOutbound();
    private final RecordingConsole console = new RecordingConsole();
    private PaneScanner scanner;
    private CommandExecutor executor;

    @BeforeEach
    void start() {
        server = PrivateTmux.start(tmp);
        scanner = new PaneScanner(server.tmux(), out, new RecordingStatus(), PromptWatcher.NONE,
                new ProviderDetector(Path.of("/proc")), new GitInfo(Duration.ofSeconds(30), Clock.systemUTC()),
                new SessionIds(), tmp.resolve("state"), Clock.systemUTC(), Duration.ofSeconds(1));
        executor = executor();
    }

    private CommandExecutor executor() {
        return new CommandExecutor(server.tmux(), out, scanner, console, new SessionIds(),
                new Spawner(server.tmux(), new SessionIds(),
                        new Spawner.Settings(tmp.resolve("bin/claude").toString(), "codex", "/bin/sh", null),
                        new ProjectHooks(tmp.resolve("home"), Map.of(), tmp.resolve("state/hooks.sock"), 600)::install),
                jobs(out, tmp.resolve("state")), tmp.resolve("state"));
    }

    static JobRunner jobs(RecordingOutbound out, Path state) {
        return new JobRunner(JobRunner.Settings.of("codex", 4, false), out, RecordingSent.of(out), state,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        executor.close();
        server.close();
    }

    private static ServerMessage.Command cmd(String id, String name, ObjectNode args) {
        return new ServerMessage.Command(id, name, args);
    }

    private static ObjectNode args(String sessionId) {
        ObjectNode o = Json.mapper().createObjectNode();
        if (sessionId != null) {
            o.put("session_id", sessionId);
        }
        return o;
    }

    /** A pane running {@code cat > file} (a test-side shell; agentd itself never uses one). */
    private String catSession(Path file) throws Exception {
        String pane = server.window(tmp, "sh", "-c", "stty -echo; exec cat > " + file);
        scanner.scanOnce();
        return scanner.byPaneId(pane).orElseThrow().sessionId();
    }

    @Test
    void sendInputArrivesLiterallyWithQuotesSubstitutionsSemicolonsNewlinesAndUnicode() throws Exception {
        Path file = tmp.resolve("typed.txt");
        String sid = catSession(file);
        String text = "echo \"double\" 'single' $(rm -rf /) `id` ; ls && exit\\n\nsecond line\tünïcödé 🚀 ✓";
        var r = executor.execute(cmd("c1", "send_input", args(sid).put("text", text).put("submit", true)));
        assertThat(r.ok()).as(r.error()).isTrue();
        Await.until("text in file", Duration.ofSeconds(5), () -> {
            try {
                return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text + "\n");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(out.of(AgentMessage.CommandsResult.class)).extracting(AgentMessage.CommandsResult::commandId)
                .containsExactly("c1");
    }

    @Test
    void unknownKeyNamesAreRefusedAndNothingIsSent() throws Exception {
        Path file = tmp.resolve("keys.txt");
        String sid = catSession(file);
        ObjectNode a = args(sid);
        a.putArray("keys").add("a").add("rm -rf /");
        var r = executor.execute(cmd("k1", "send_keys", a));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("keys");
        ObjectNode ok = args(sid);
        ok.putArray("keys").add("h").add("i").add("Enter");
        assertThat(executor.execute(cmd("k2", "send_keys", ok)).ok()).isTrue();
        Await.until("keys typed", Duration.ofSeconds(5), () -> {
            try {
                return Files.exists(file) && Files.readString(file).equals("hi\n");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aCommandRunsAtMostOnceEvenAcrossARestart() throws Exception {
        Path file = tmp.resolve("once.txt");
        String sid = catSession(file);
        var first = executor.execute(cmd("c-once", "send_input", args(sid).put("text", "once").put("submit", true)));
        assertThat(first.ok()).isTrue();
        executor.close();
        executor = executor();
        var again = executor.execute(cmd("c-once", "send_input", args(sid).put("text", "once").put("submit", true)));
        assertThat(again).isEqualTo(first);
        executor.execute(cmd("c-two", "send_input", args(sid).put("text", "two").put("submit", true)));
        Await.until("second text", Duration.ofSeconds(5), () -> {
            try {
                return Files.readString(file).contains("two");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(Files.readString(file)).isEqualTo("once\ntwo\n");
        assertThat(out.of(AgentMessage.CommandsResult.class)).extracting(AgentMessage.CommandsResult::commandId)
                .containsExactly("c-once", "c-once", "c-two");
    }

    @Test
    void unknownSessionsAndJobsInMissingDirectoriesGetAFailedResult() {
        var r = executor.execute(cmd("u1", "interrupt", args("s_nope")));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).startsWith("unknown session");
        var j = executor.execute(cmd("j1", "spawn_job", Json.mapper().createObjectNode()
                .put("cwd", tmp.resolve("nowhere").toString()).put("prompt", "hi")));
        assertThat(j.ok()).isFalse();
        assertThat(j.error()).startsWith("cwd: ").contains("does not exist");
        var c = executor.execute(cmd("j2", "cancel_job", args("job_nope")));
        assertThat(c.ok()).isFalse();
        assertThat(c.error()).isEqualTo("unknown job job_nope on this host");
    }

    @Test
    void aConsoleThatCannotServeAnswersWithItsOwnErrorNotAnInternalOne() throws Exception {
        String sid = catSession(tmp.resolve("console.txt"));
        Console closed = new Console() {
            @Override
            public void subscribe(String sessionId, String subscriptionId) {
                throw new ConsoleException("console is closed");
            }

            @Override
            public void unsubscribe(String sessionId, String subscriptionId) {
            }

            @Override
            public int subscriberCount(String sessionId) {
                return 0;
            }

            @Override
            public void close() {
            }
        };
        try (CommandExecutor e = new CommandExecutor(server.tmux(), out, scanner, closed, new SessionIds(),
                new Spawner(server.tmux(), new SessionIds(), new Spawner.Settings("claude", "codex", "/bin/sh", null),
                        Spawner.HookInstaller.NONE), jobs(out, tmp.resolve("state-2")), tmp.resolve("state-2"))) {
            var r = e.execute(cmd("cs1", "console.subscribe", args(sid).put("subscription_id", "sub1")));
            assertThat(r.ok()).isFalse();
            assertThat(r.error()).isEqualTo("console is closed");
        }
    }

    @Test
    void adoptRenameConsoleAndKillActOnTheRightPane() throws Exception {
        String pane = server.tmux().run("display-message", "-p", "-t", "main", "#{pane_id}").strip();
        scanner.scanOnce();
        assertThat(scanner.byPaneId(pane).orElseThrow().managed()).as("a pane nobody started through us").isFalse();
        var adopt = executor.execute(cmd("a1", "adopt_pane", Json.mapper().createObjectNode().put("pane_id", pane)));
        assertThat(adopt.ok()).as(adopt.error()).isTrue();
        String sid = adopt.data().get("session_id").asText();
        assertThat(server.tmux().run("display-message", "-p", "-t", pane, "#{@ac_session_id} #{@ac_managed}").strip())
                .isEqualTo(sid + " 1");
        scanner.scanOnce();
        assertThat(scanner.byPaneId(pane).orElseThrow().sessionId()).isEqualTo(sid);
        assertThat(scanner.byPaneId(pane).orElseThrow().managed()).as("adopted").isTrue();
        assertThat(executor.execute(cmd("r1", "rename_session", args(sid).put("name", "builder"))).ok()).isTrue();
        scanner.scanOnce();
        assertThat(scanner.bySessionId(sid).orElseThrow().name()).isEqualTo("builder");
        assertThat(executor.execute(cmd("a2", "adopt_pane", Json.mapper().createObjectNode().put("pane_id", "%999")))
                .ok()).isFalse();
        assertThat(executor.execute(cmd("cs", "console.subscribe", args(sid).put("subscription_id", "sub1"))).ok())
                .isTrue();
        assertThat(console.calls()).containsExactly("+" + sid + "/sub1");
        assertThat(executor.execute(cmd("ks", "kill_session", args(sid))).ok()).isTrue();
        scanner.scanOnce();
        assertThat(scanner.bySessionId(sid)).isEmpty();
    }

    @Test
    void spawnSessionCreatesAWorktreeAndAWindowAndRefusesTraversal() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "main");
        ObjectNode a = Json.mapper().createObjectNode().put("repo_path", repo.toString()).put("branch", "feat/x")
                .put("worktree_name", "wt1").put("provider", "shell");
        var r = executor.execute(cmd("sp1", "spawn_session", a));
        assertThat(r.ok()).as(r.error()).isTrue();
        Path wt = repo.resolve(".worktrees/wt1");
        assertThat(r.data().get("worktree").asText()).isEqualTo(wt.toString());
        assertThat(wt.resolve(".git")).exists();
        assertThat(GitInfo.git(wt.toString(), "rev-parse", "--abbrev-ref", "HEAD").strip()).isEqualTo("feat/x");
        String pane = r.data().get("pane_id").asText();
        // right after the fork the pane's foreground command may not be the shell yet (seen as provider other)
        Await.until("a shell window in the worktree", Duration.ofSeconds(5), () -> {
            scanner.scanOnce();
            return scanner.byPaneId(pane).map(s -> wt.toString().equals(s.cwd()) && s.provider() == Provider.SHELL)
                    .orElse(false);
        });
        var s = scanner.byPaneId(pane).orElseThrow();
        assertThat(s.sessionId()).isEqualTo(r.data().get("session_id").asText());
        assertThat(s.provider()).isEqualTo(Provider.SHELL);
        assertThat(s.git().branch()).isEqualTo("feat/x");
        assertThat(s.managed()).as("spawned through us").isTrue();
        assertThat(wt.resolve(".claude")).as("hooks only for claude").doesNotExist();

        ObjectNode bad = a.deepCopy().put("worktree_name", "../../etc");
        var refused = executor.execute(cmd("sp2", "spawn_session", bad));
        assertThat(refused.ok()).isFalse();
        assertThat(refused.error()).contains("worktree_name");
        assertThat(tmp.resolve("etc")).doesNotExist();
    }

    @Test
    void spawnSessionWithClaudeInstallsOurHooksInTheWorktreeBeforeClaudeStarts() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "main");
        Path standin = tmp.resolve("standins/claude");
        Files.createDirectories(standin.getParent());
        try (InputStream in = getClass().getResourceAsStream("/standins/claude")) {
            Files.copy(in, standin);
        }
        Path bin = tmp.resolve("bin");
        PrivateTmux.script(bin, "claude", "test -f .claude/settings.json && echo HOOKS-PRESENT\n"
                + "exec bash '" + standin + "' --idle");
        // providers.claude.exec_path is bin/claude here: a new window takes PATH from the tmux client (this JVM)
        ObjectNode a = Json.mapper().createObjectNode().put("repo_path", repo.toString()).put("branch", "feat/c")
                .put("worktree_name", "wt-claude").put("provider", "claude");
        var r = executor.execute(cmd("spc", "spawn_session", a));
        assertThat(r.ok()).as(r.error()).isTrue();
        Path wt = repo.resolve(".worktrees/wt-claude");

        JsonNode settings = Json.mapper().readTree(wt.resolve(".claude/settings.json").toFile());
        JsonNode permission = settings.path("hooks").path("PermissionRequest").get(0);
        assertThat(permission.path("matcher").asText()).isEqualTo("*");
        assertThat(permission.path("hooks").get(0).path("command").asText()).isEqualTo(
                tmp.resolve("home/.local/share/agentd/bin/agentd-hook") + " --socket " + tmp.resolve("state/hooks.sock"));
        assertThat(tmp.resolve("home/.local/share/agentd/bin/agentd-hook")).isExecutable();

        String pane = r.data().get("pane_id").asText();
        Await.until("the stand-in claude in the worktree", Duration.ofSeconds(5), () -> {
            scanner.scanOnce();
            return scanner.byPaneId(pane).map(x -> x.provider() == Provider.CLAUDE && wt.toString().equals(x.cwd()))
                    .orElse(false);
        });
        Await.until("stand-in banner", Duration.ofSeconds(5),
                () -> server.screen(pane).contains("Welcome to Claude Code (stand-in)"));
        assertThat(server.screen(pane)).contains("HOOKS-PRESENT");
    }
}
