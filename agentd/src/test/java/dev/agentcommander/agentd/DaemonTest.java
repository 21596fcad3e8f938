package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.config.ConfigLoader;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.FakeControlPlane;
import dev.agentcommander.agentd.testkit.GitRepo;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;

    @BeforeEach
    void start() {
        server = PrivateTmux.start(tmp);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Config config() {
        return config("hook");
    }

    private Config config(String approvalsMode) {
        return config(approvalsMode, "", "");
    }

    /** {@code yaml}: more of the config file (keys the environment does not set). */
    private Config config(String approvalsMode, String hooksListen, String yaml) {
        return config(approvalsMode, hooksListen, "", yaml);
    }

    private Config config(String approvalsMode, String hooksListen, String hooksSocket, String yaml) {
        return new ConfigLoader(Map.of("AGENTD_STORAGE_STATE_DIR", tmp.resolve("state").toString(),
                "AGENTD_TMUX_SOCKET", server.socket(), "AGENTD_CONTROL_PLANE_TOKEN", "secret",
                "AGENTD_TMUX_POLL_INTERVAL_MS", "100", "AGENTD_APPROVALS_MODE", approvalsMode,
                "HOME", tmp.toString())).parse("host_name: box-1\nhooks:\n  listen: \"" + hooksListen + "\"\n"
                + "  socket: \"" + hooksSocket + "\"\n" + yaml);
    }

    /** What the daemon gets from its process: the hook script of spawned worktrees goes under tmp. */
    private Map<String, String> env() {
        return Map.of("XDG_DATA_HOME", tmp.resolve("data").toString(), "SHELL", "/bin/sh");
    }

    @Test
    void inKeysModeAMenuOnScreenBecomesAnApprovalAndAllowTypesOneIntoThePane() throws Exception {
        Path standin = tmp.resolve("claude");
        try (InputStream in = getClass().getResourceAsStream("/standins/claude")) {
            Files.copy(in, standin);
        }
        String pane = server.window(tmp, "bash", standin.toString(), "--permission");
        FakeControlPlane cp = new FakeControlPlane();
        try (Daemon d = new Daemon(config("keys"), tmp, env(), cp, Clock.systemUTC(), "test")) {
            FakeControlPlane.Conn conn = cp.awaitConnection();
            conn.send(new ServerMessage.Welcome(0, "t", "h"));
            AgentMessage.ApprovalRequested req = null;
            while (req == null) {
                if (cp.nextSequenced().message() instanceof AgentMessage.ApprovalRequested r) {
                    req = r;
                }
            }
            assertThat(req.toolName()).isEqualTo("Bash");
            assertThat(req.toolInput().path("command").asText()).as("the command from the dialog")
                    .isEqualTo("rm -rf build/ && echo $(id)");
            assertThat(d.scanner().bySessionId(req.sessionId()).orElseThrow().tmux().paneId()).isEqualTo(pane);

            conn.send(new ServerMessage.ApprovalDecision(req.approvalId(), ApprovalBehavior.ALLOW, null, null, null));
            AgentMessage.ApprovalResolved resolved = null;
            while (resolved == null) {
                var m = cp.nextSequenced().message();
                assertThat(m).isNotInstanceOf(AgentMessage.ApprovalRequested.class);
                if (m instanceof AgentMessage.ApprovalResolved r) {
                    resolved = r;
                }
            }
            assertThat(resolved).isEqualTo(new AgentMessage.ApprovalResolved(req.approvalId(), ApprovalOutcome.ALLOWED));
            Await.until("the stand-in got 1", Duration.ofSeconds(5),
                    () -> server.screen(pane).contains("● Bash(rm -rf build)"));
        }
    }

    @Test
    void panesReachTheServerAndCommandsComeBackAsResults() throws Exception {
        FakeControlPlane cp = new FakeControlPlane();
        try (Daemon d = new Daemon(config(), tmp, env(), cp, Clock.systemUTC(), "test")) {
            FakeControlPlane.Conn conn = cp.awaitConnection();
            assertThat(cp.token()).isEqualTo("secret");
            var hello = (AgentMessage.Hello) cp.next().message();
            assertThat(hello.hostName()).isEqualTo("box-1");
            conn.send(new ServerMessage.Welcome(0, "t", "h"));
            var upsert = cp.nextSequenced();
            assertThat(upsert.seq()).isEqualTo(1);
            var session = ((AgentMessage.SessionsUpsert) upsert.message()).session();
            conn.send(new ServerMessage.Ack(1));

            conn.send(new ServerMessage.Command("cmd-1", "rename_session",
                    Json.mapper().createObjectNode().put("session_id", session.sessionId()).put("name", "renamed")));
            boolean sawResult = false;
            boolean sawRename = false;
            while (!(sawResult && sawRename)) {
                var f = cp.nextSequenced();
                if (f.message() instanceof AgentMessage.CommandsResult r) {
                    assertThat(r.commandId()).isEqualTo("cmd-1");
                    assertThat(r.ok()).as(r.error()).isTrue();
                    sawResult = true;
                } else if (f.message() instanceof AgentMessage.SessionsUpsert u
                        && u.session().name().equals("renamed")) {
                    sawRename = true;
                }
            }
            Await.until("acks persisted", Duration.ofSeconds(5), () -> d.outbox().ackedSeq() == 1);
        }
    }

    /**
     * The hooks written into a spawned worktree name the daemon's own socket ({@code --socket}), and the hook
     * command Claude would run, run here as Claude runs it (sh -c), reaches the daemon's receiver through it —
     * with no TCP listener at all (hooks.listen is off by default).
     */
    @Test
    void aSpawnedClaudeWorktreesHooksReachTheDaemonOverItsSocket() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "main");
        Path standin = tmp.resolve("standins/claude");
        Files.createDirectories(standin.getParent());
        try (InputStream in = getClass().getResourceAsStream("/standins/claude")) {
            Files.copy(in, standin);
        }
        Path claude = PrivateTmux.script(tmp.resolve("bin"), "claude", "exec bash '" + standin + "' --idle");
        Config config = config("hook", "", "providers:\n  claude:\n    exec_path: " + claude + "\n");
        assertThat(config.hooks().listen()).isEmpty();
        FakeControlPlane cp = new FakeControlPlane();
        try (Daemon d = new Daemon(config, tmp, env(), cp, Clock.systemUTC(), "test")) {
            FakeControlPlane.Conn conn = cp.awaitConnection();
            conn.send(new ServerMessage.Welcome(0, "t", "h"));
            conn.send(new ServerMessage.Command("sp-1", "spawn_session", Json.mapper().createObjectNode()
                    .put("repo_path", repo.toString()).put("branch", "feat/v6").put("worktree_name", "wt-v6")
                    .put("provider", "claude")));
            AgentMessage.CommandsResult result = null;
            while (result == null) {
                if (cp.nextSequenced().message() instanceof AgentMessage.CommandsResult r) {
                    result = r;
                }
            }
            assertThat(result.ok()).as(result.error()).isTrue();
            String sessionId = result.data().get("session_id").asText();
            String pane = result.data().get("pane_id").asText();
            JsonNode settings = Json.mapper().readTree(repo.resolve(".worktrees/wt-v6/.claude/settings.json").toFile());
            String command = settings.path("hooks").path("Stop").get(0).path("hooks").get(0).path("command").asText();
            assertThat(command).endsWith(" --socket " + tmp.resolve("state/hooks.sock"));
            Await.until("the scanner knows the spawned pane", Duration.ofSeconds(5),
                    () -> d.scanner().byPaneId(pane).isPresent());

            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).redirectError(Redirect.DISCARD);
            pb.environment().put("TMUX_PANE", pane);
            Process hook = pb.start();
            try (OutputStream stdin = hook.getOutputStream()) {
                stdin.write("{\"hook_event_name\":\"Stop\",\"session_id\":\"c-1\"}".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(hook.waitFor(10, TimeUnit.SECONDS)).as("the hook command ends").isTrue();
            assertThat(hook.exitValue()).isZero();
            AgentMessage.EventsAppend stop = null;
            while (stop == null) { // it fails here (no frame within 5 s) when the hook could not reach agentd
                if (cp.nextSequenced().message() instanceof AgentMessage.EventsAppend e
                        && e.eventType().equals("hook.Stop")) {
                    stop = e;
                }
            }
            assertThat(stop.sessionId()).isEqualTo(sessionId);
        }
    }

    /** Item 11: whatever the umask left, the state dir is 0700 and nothing in it is open to group or others. */
    @Test
    void theStateDirAndWhatAgentdKeepsThereArePrivateToItsUser() throws Exception {
        Path state = tmp.resolve("state");
        Files.createDirectories(state.resolve("outbox"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(state.resolve("acked"), "0"); // an older agentd's file, 0644
        Files.setPosixFilePermissions(state.resolve("acked"), PosixFilePermissions.fromString("rw-r--r--"));
        FakeControlPlane cp = new FakeControlPlane();
        try (Daemon d = new Daemon(config(), tmp, env(), cp, Clock.systemUTC(), "test")) {
            FakeControlPlane.Conn conn = cp.awaitConnection();
            conn.send(new ServerMessage.Welcome(0, "t", "h"));
            cp.nextSequenced(); // a sessions.upsert: the outbox and sessions.json have been written
            conn.send(new ServerMessage.Ack(1));
            Await.until("acks persisted", Duration.ofSeconds(5), () -> d.outbox().ackedSeq() == 1);
            assertThat(mode(state)).isEqualTo("rwx------");
            assertThat(mode(state.resolve("outbox"))).isEqualTo("rwx------");
            assertThat(mode(state.resolve("hooks.sock"))).isEqualTo("rw-------");
            List<String> open = new ArrayList<>();
            try (var all = Files.walk(state)) {
                all.forEach(p -> {
                    String m = mode(p);
                    if (!m.endsWith("------")) {
                        open.add(state.relativize(p) + " " + m);
                    }
                });
            }
            assertThat(open).as("files open to group or others").isEmpty();
            try (var files = Files.list(state.resolve("outbox"))) {
                assertThat(files.map(p -> p.getFileName().toString())).as("Chronicle's own files were checked")
                        .anyMatch(n -> n.endsWith(".cq4")).anyMatch(n -> n.endsWith(".cq4t"));
            }
            assertThat(Files.readString(state.resolve("acked")).trim()).isEqualTo("1");
        }
    }

    @Test
    void aHookSocketDirectoryOthersMayEnterStopsTheDaemonWithAClearError() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
        Config config = config("hook", "", shared.resolve("hooks.sock").toString(), "");
        assertThatThrownBy(() -> new Daemon(config, tmp, env(), new FakeControlPlane(), Clock.systemUTC(), "test"))
                .hasMessageContaining("hooks.socket").hasMessageContaining("open to group or others");
        assertThat(shared.resolve("hooks.sock")).doesNotExist();
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void mainRefusesUnknownSubcommandsAndArgumentsAndAMissingConfigFile() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"frobnicate", "--config", tmp.resolve("none.yaml").toString()},
                new PrintStream(out), new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown subcommand frobnicate");
        code = Main.run(new String[] {"run", "--config", tmp.resolve("none.yaml").toString()},
                new PrintStream(out), new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("config file not found");
        code = Main.run(new String[] {"--bogus"}, new PrintStream(out), new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown argument --bogus");
    }
}
