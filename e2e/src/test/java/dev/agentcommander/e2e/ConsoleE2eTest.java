package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Panes and console through the whole stack: UI socket ↔ control plane ↔ agentd ↔ a private tmux server. */
class ConsoleE2eTest {
    @TempDir
    static Path dir;
    static Stack stack;
    static PrivateTmux tmux;
    static Path bin;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        bin = Fixtures.standinBin(dir);
        tmux = stack.tmux(Map.of("PATH", bin + ":" + System.getenv("PATH")));
        stack.startAgentd();
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    static String shellSession(String pane) throws InterruptedException {
        return Await.value("session of " + pane, Duration.ofSeconds(20), () -> FoundationLookup.sessionId(stack, pane));
    }

    static String text(JsonNode m) {
        return new String(Base64.getDecoder().decode(m.get("data").asText()), StandardCharsets.UTF_8);
    }

    static UiClient ui() throws Exception {
        return new UiClient(stack.baseUrl(), stack.jwt(Role.VIEWER));
    }

    /** Waits until the console stream of {@code sub} carries {@code marker}; returns the time it took. */
    static long awaitOutput(UiClient c, String sub, String marker, Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        StringBuilder seen = new StringBuilder();
        c.await(timeout, "output " + marker, m -> {
            if (sub.equals(m.path("sub").asText()) && m.path("type").asText().startsWith("console.")) {
                seen.append(text(m));
            }
            return seen.indexOf(marker) >= 0;
        });
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void subscriberSeesSnapshotMatchingCapturePaneThenLiveOutputWithinOneSecond() throws Exception {
        String pane = tmux.window(dir, "bash", "--norc", "--noprofile");
        tmux.run("send-keys", "-t", pane, "-l", "echo before-subscribe");
        tmux.run("send-keys", "-t", pane, "Enter");
        String id = shellSession(pane);
        Await.value("prompt", Duration.ofSeconds(5), () -> tmux.joinedScreen(pane).contains("before-subscribe\n"));
        try (UiClient c = ui()) {
            c.subscribe("c1", "console", "{\"session_id\":\"" + id + "\"}");
            JsonNode snap = c.await(Duration.ofSeconds(10), "snapshot", UiClient.type("console.snapshot"));
            String expected = tmux.run("capture-pane", "-p", "-e", "-J", "-t", pane);
            assertThat(text(snap).stripTrailing()).isEqualTo(expected.stripTrailing());
            assertThat(snap.get("cols").asInt()).isEqualTo(160);
            assertThat(snap.has("cursor")).isTrue();
            tmux.run("send-keys", "-t", pane, "-l", "echo MARK-$((1000+337))");
            tmux.run("send-keys", "-t", pane, "Enter");
            long ms = awaitOutput(c, "c1", "MARK-1337", Duration.ofSeconds(1));
            System.out.println("marker reached the UI socket in " + ms + " ms");
        }
    }

    @Test
    void secondSubscriberKeepsStreamingAfterFirstLeavesAndCaptureStopsWithTheLast() throws Exception {
        String pane = tmux.window(dir, "bash", "--norc", "--noprofile");
        String id = shellSession(pane);
        try (UiClient a = ui(); UiClient b = ui()) {
            a.subscribe("a", "console", "{\"session_id\":\"" + id + "\"}");
            b.subscribe("b", "console", "{\"session_id\":\"" + id + "\"}");
            a.await(Duration.ofSeconds(10), "snapshot a", UiClient.type("console.snapshot"));
            b.await(Duration.ofSeconds(10), "snapshot b", UiClient.type("console.snapshot"));
            a.unsubscribe("a");
            tmux.run("send-keys", "-t", pane, "-l", "echo still-$((2+2))-streaming");
            tmux.run("send-keys", "-t", pane, "Enter");
            awaitOutput(b, "b", "still-4-streaming", Duration.ofSeconds(5));
            assertThat(capturing(pane)).isTrue();
            b.unsubscribe("b");
            // the control plane tells agentd to stop 10 s after the last viewer left (its console debounce)
            Await.value("capture stopped", Duration.ofSeconds(25), () -> !capturing(pane));
        }
    }

    /**
     * Whether anything of agentd's is still capturing the pane (a control-mode client that receives output, or a
     * pipe); the scanner's listing client is attached with no-output and captures nothing.
     */
    static boolean capturing(String pane) {
        String clients = tmux.run("list-clients", "-F", "#{client_control_mode} #{client_flags}");
        String pipe = tmux.run("display-message", "-p", "-t", pane, "#{pane_pipe}").trim();
        return clients.lines().anyMatch(l -> l.startsWith("1 ") && !l.contains("no-output")) || "1".equals(pipe);
    }

    @Test
    void sendInputArrivesLiterally() throws Exception {
        Path out = dir.resolve("typed.txt");
        String pane = tmux.window(dir, "bash", "--norc", "--noprofile", "-c", "exec cat > " + out);
        String id = shellSession(pane);
        String text = "say \"hi\" 'there' $(rm -rf /) `id` ; && | > < \\ $HOME\nsecond line ünïcødé ✻ 日本";
        Rest.Reply r = stack.rest(Role.OPERATOR).post("/v1/sessions/" + id + "/commands",
                Map.of("type", "send_input", "text", text, "submit", true));
        assertThat(r.status()).isIn(200, 201, 202);
        awaitCompleted(r.body().get("command_id").asText());
        Await.value("typed text in file", Duration.ofSeconds(10), () -> {
            try {
                return Files.exists(out) && Files.readString(out).equals(text + "\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static JsonNode awaitCompleted(String commandId) throws InterruptedException {
        return Await.value("command " + commandId, Duration.ofSeconds(20), () -> {
            JsonNode c = stack.rest(Role.VIEWER).get("/v1/commands/" + commandId).body();
            String status = c.path("status").asText();
            if ("failed".equals(status)) {
                throw new AssertionError("command failed: " + c);
            }
            return "completed".equals(status) ? c : null;
        });
    }

    @Test
    void unknownKeyNamesAreRefusedAndNothingIsQueued() throws Exception {
        String pane = tmux.window(dir, "sleep", "1000");
        String id = shellSession(pane);
        long before = stack.queryLong("select count(*) from commands");
        Rest.Reply r = stack.rest(Role.OPERATOR).post("/v1/sessions/" + id + "/commands",
                Map.of("type", "send_keys", "keys", List.of("Enter", "rm -rf /")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("error").path("message").asText()).contains("keys");
        assertThat(stack.queryLong("select count(*) from commands")).isEqualTo(before);
        Rest.Reply viewer = stack.rest(Role.VIEWER).post("/v1/sessions/" + id + "/commands",
                Map.of("type", "send_keys", "keys", List.of("Enter")));
        assertThat(viewer.status()).isEqualTo(403);
    }

    @Test
    void adoptPaneKeepsTheProcessRunningAndTheIdStableAcrossAgentdRestart() throws Exception {
        String pane = tmux.window(dir, "sleep", "1000");
        String pid = tmux.run("display-message", "-p", "-t", pane, "#{pane_pid}").trim();
        Rest.Reply r = stack.rest(Role.OPERATOR).post("/v1/hosts/" + stack.hostId() + "/commands",
                Map.of("type", "adopt_pane", "pane_id", pane));
        assertThat(r.status()).isIn(200, 201, 202);
        JsonNode done = awaitCompleted(r.body().get("command_id").asText());
        String id = done.path("result").path("session_id").asText();
        assertThat(id).isNotEmpty();
        assertThat(tmux.run("display-message", "-p", "-t", pane, "#{pane_pid}").trim()).isEqualTo(pid);
        assertThat(ProcessHandle.of(Long.parseLong(pid))).isPresent();
        stack.agentd().kill9();
        stack.startAgentd();
        tmux.run("rename-window", "-t", pane, "adopted-after-restart");
        JsonNode s = Await.value("renamed", Duration.ofSeconds(30), () -> {
            JsonNode x = FoundationLookup.session(stack, pane);
            return x != null && x.get("name").asText().contains("adopted-after-restart") ? x : null;
        });
        assertThat(s.get("session_id").asText()).isEqualTo(id);
        assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive)).contains(true);
    }

    @Test
    void spawnSessionCreatesWorktreeAndWindowAndRefusesTraversal() throws Exception {
        Path repo = Fixtures.gitRepo(dir.resolve("spawn-repo"), "main");
        Rest.Reply bad = stack.rest(Role.OPERATOR).post("/v1/hosts/" + stack.hostId() + "/commands",
                Map.of("type", "spawn_session", "repo_path", repo.toString(), "branch", "evil",
                        "worktree_name", "../../etc", "provider", "shell"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("error").path("message").asText()).contains("worktree_name");
        Rest.Reply r = stack.rest(Role.OPERATOR).post("/v1/hosts/" + stack.hostId() + "/commands",
                Map.of("type", "spawn_session", "repo_path", repo.toString(), "branch", "feat-x",
                        "worktree_name", "feat-x", "provider", "shell"));
        assertThat(r.status()).isIn(200, 201, 202);
        JsonNode done = awaitCompleted(r.body().get("command_id").asText());
        Path worktree = Path.of(done.path("result").path("worktree").asText());
        assertThat(worktree.toRealPath().startsWith(repo)).isTrue();
        assertThat(Files.isRegularFile(worktree.resolve("README"))).isTrue();
        String paneId = done.path("result").path("pane_id").asText();
        assertThat(tmux.run("display-message", "-p", "-t", paneId, "#{pane_current_path}").trim())
                .isEqualTo(worktree.toRealPath().toString());
        JsonNode s = Await.value("spawned session", Duration.ofSeconds(20),
                () -> FoundationLookup.session(stack, paneId));
        assertThat(s.path("git").path("branch").asText()).isEqualTo("feat-x");
    }

    @Test
    void standInClaudeDrawingThePermissionMenuTurnsTheSessionWaiting() throws Exception {
        try (UiClient c = ui()) {
            c.subscribe("s", "sessions", "{\"needs_attention\":true}");
            c.await(Duration.ofSeconds(10), "subscribed", UiClient.type("subscribed"));
            String pane = tmux.window(dir, bin.resolve("claude").toString(), "menu");
            JsonNode changed = c.await(Duration.ofSeconds(20), "WAITING session", m ->
                    "sessions.changed".equals(m.path("type").asText())
                            && pane.equals(m.path("session").path("tmux").path("pane_id").asText()));
            assertThat(changed.path("session").path("status").asText()).isEqualTo("WAITING");
            assertThat(changed.path("session").path("needs_attention").asBoolean()).isTrue();
            JsonNode rest = FoundationLookup.session(stack, pane);
            assertThat(rest.get("status").asText()).isEqualTo("WAITING");
            assertThat(rest.get("provider").asText()).isEqualTo("claude");
        }
    }
}
