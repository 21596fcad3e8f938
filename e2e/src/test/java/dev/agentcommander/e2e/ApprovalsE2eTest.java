package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claude Code approvals end to end: a stand-in claude runs the real hook command, which waits on agentd, which
 * relays through the control plane to a person's decision. A failure never approves.
 */
class ApprovalsE2eTest {
    @TempDir
    Path dir;
    Stack stack;
    PrivateTmux tmux;
    LinkProxy proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private void start(String approvalTimeoutSeconds) throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        Path bin = Fixtures.standinBin(dir);
        tmux = stack.tmux(stack.hookEnv(bin));
        stack.agentdConfig.put("approval_timeout", approvalTimeoutSeconds);
        proxy = stack.proxyAgentLink();
        stack.startAgentd();
        Await.value("hook receiver", Duration.ofSeconds(30), new HookClient(stack.hooksPort)::up);
    }

    /** Runs the stand-in claude in a new pane firing a PermissionRequest for {@code tool}. */
    private String fireHook(String tool, String inputJson) throws Exception {
        return tmux.window(dir, "claude", "hook", tool, inputJson);
    }

    private JsonNode awaitPending(String tool) throws InterruptedException {
        // generous: on a loaded machine the stand-in's hook (a JVM) can take many seconds to reach agentd
        return Await.value("pending approval", Duration.ofSeconds(60), () -> {
            for (JsonNode a : stack.rest(Role.VIEWER).get("/v1/approvals?status=pending").body().path("items")) {
                if (tool.equals(a.path("tool_name").asText())) {
                    return a;
                }
            }
            return null;
        });
    }

    private static String id(JsonNode approval) {
        return approval.has("approval_id") ? approval.get("approval_id").asText() : approval.get("id").asText();
    }

    private String awaitHookOutput(String pane) throws InterruptedException {
        return Await.value("hook output in " + pane, Duration.ofSeconds(30), () -> {
            String screen = tmux.joinedScreen(pane);
            int i = screen.indexOf("HOOK-OUT=");
            return screen.contains("HOOK-EXIT=") && i >= 0 ? screen.substring(i + 9).lines().findFirst().orElse("")
                    : null;
        });
    }

    private Rest.Reply decide(String approvalId, Map<String, Object> body) {
        return stack.rest(Role.OPERATOR).post("/v1/approvals/" + approvalId + "/decision", body);
    }

    @Test
    void allowRoundTripReachesClaudeAndASecondDecisionGets409() throws Exception {
        start("60");
        try (UiClient ui = new UiClient(stack.baseUrl(), stack.jwt(Role.VIEWER))) {
            ui.subscribe("ap", "approvals", "{\"status\":\"pending\"}");
            String pane = fireHook("Bash", "{\"command\":\"ls\"}");
            JsonNode pushed = ui.await(Duration.ofSeconds(20), "approval pushed", m ->
                    "approvals.changed".equals(m.path("type").asText())
                            && "Bash".equals(m.path("approval").path("tool_name").asText()));
            String approvalId = id(pushed.get("approval"));
            assertThat(pushed.path("approval").path("tool_input").path("command").asText()).isEqualTo("ls");
            assertThat(decide(approvalId, Map.of("behavior", "allow")).status()).isEqualTo(200);
            String out = awaitHookOutput(pane);
            JsonNode decision = stack.rest(Role.VIEWER).get("/v1/approvals/" + approvalId).body();
            assertThat(out).contains("\"hookEventName\":\"PermissionRequest\"").contains("\"behavior\":\"allow\"");
            assertThat(decide(approvalId, Map.of("behavior", "deny", "message", "too late")).status()).isEqualTo(409);
            assertThat(decision.path("status").asText()).isIn("allowed");
            assertThat(tmux.joinedScreen(pane)).contains("HOOK-EXIT=0");
        }
    }

    @Test
    void allowWithEditedInputAndDenyWithMessageReachClaude() throws Exception {
        start("60");
        String edit = fireHook("Write", "{\"file_path\":\"/tmp/x.txt\",\"content\":\"old\"}");
        JsonNode pending = awaitPending("Write");
        assertThat(pending.path("review").path("file_path").asText()).isEqualTo("/tmp/x.txt");
        assertThat(decide(id(pending), Map.of("behavior", "allow", "updated_input",
                Map.of("file_path", "/tmp/x.txt", "content", "new"))).status()).isEqualTo(200);
        assertThat(awaitHookOutput(edit)).contains("\"updatedInput\"").contains("\"content\":\"new\"");

        String deny = fireHook("Bash", "{\"command\":\"rm -rf /\"}");
        JsonNode bash = awaitPending("Bash");
        assertThat(decide(id(bash), Map.of("behavior", "allow", "updated_input", "not an object")).status())
                .isEqualTo(400);
        assertThat(decide(id(bash), Map.of("behavior", "deny", "message", "no, never")).status()).isEqualTo(200);
        assertThat(awaitHookOutput(deny)).contains("\"behavior\":\"deny\"").contains("no, never");
    }

    @Test
    void twoConcurrentDecisionsExactlyOneWins() throws Exception {
        start("60");
        fireHook("Bash", "{\"command\":\"make\"}");
        String approvalId = id(awaitPending("Bash"));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                String behavior = i % 2 == 0 ? "allow" : "deny";
                results.add(pool.submit(() -> {
                    go.await();
                    return decide(approvalId, Map.of("behavior", behavior, "message", "x")).status();
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(200, 409);
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
        }
        assertThat(stack.queryLong("select count(*) from audit_log where target like ?", "%" + approvalId + "%"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void controlPlaneDownMeansTheHookPrintsNothingAndExitsZeroAtTimeout() throws Exception {
        start("4");
        stack.controlPlane().kill9();
        String pane = fireHook("Bash", "{\"command\":\"deploy\"}");
        assertThat(awaitHookOutput(pane)).isEmpty();
        assertThat(tmux.joinedScreen(pane)).contains("HOOK-EXIT=0");
    }

    @Test
    void agentdKilledWhileTheHookWaitsApprovesNothing() throws Exception {
        start("60");
        String pane = fireHook("Bash", "{\"command\":\"terraform apply\"}");
        String approvalId = id(awaitPending("Bash"));
        stack.agentd().kill9();
        assertThat(awaitHookOutput(pane)).isEmpty();
        assertThat(tmux.joinedScreen(pane)).contains("HOOK-EXIT=0");
        stack.startAgentd();
        assertThat(decide(approvalId, Map.of("behavior", "allow")).status()).isIn(200, 409);
        Await.value("approval ends expired", Duration.ofSeconds(20), () -> "expired".equals(
                stack.rest(Role.VIEWER).get("/v1/approvals/" + approvalId).body().path("status").asText()));
    }

    @Test
    void decisionWhileAgentdIsDisconnectedIsDeliveredOnReconnectIfTheHookStillWaits() throws Exception {
        start("60");
        String pane = fireHook("Bash", "{\"command\":\"npm test\"}");
        String approvalId = id(awaitPending("Bash"));
        proxy.cut();
        assertThat(decide(approvalId, Map.of("behavior", "allow")).status()).isEqualTo(200);
        Thread.sleep(1000);
        assertThat(tmux.joinedScreen(pane)).doesNotContain("HOOK-OUT=");
        proxy.restore();
        assertThat(awaitHookOutput(pane)).contains("\"behavior\":\"allow\"");
    }

    @Test
    void decisionAfterTheHookGaveUpEndsExpiredAndApprovesNothing() throws Exception {
        start("8"); // long enough to see it pending on a loaded machine, short enough to give up soon
        String pane = fireHook("Bash", "{\"command\":\"git push --force\"}");
        String approvalId = id(awaitPending("Bash"));
        proxy.cut();
        assertThat(awaitHookOutput(pane)).isEmpty();
        decide(approvalId, Map.of("behavior", "allow"));
        proxy.restore();
        Await.value("approval ends expired", Duration.ofSeconds(30), () -> "expired".equals(
                stack.rest(Role.VIEWER).get("/v1/approvals/" + approvalId).body().path("status").asText()));
    }

    @Test
    void oversizedOrMalformedHookJsonIsRefusedAndNothingIsStored() throws Exception {
        start("60");
        HookClient c = new HookClient(stack.hooksPort);
        String pane = tmux.run("display-message", "-p", "-t", "main", "#{pane_id}").trim(); // a pane agentd knows
        long events = stack.queryLong("select count(*) from events");
        assertThat(c.post(pane, "{not json", Duration.ofSeconds(5)).status()).isEqualTo(400);
        assertThat(c.post(pane, "[1,2,3]", Duration.ofSeconds(5)).status()).isEqualTo(400);
        String big = "{\"hook_event_name\":\"PostToolUse\",\"pad\":\"" + "x".repeat(2 << 20) + "\"}";
        assertThat(c.post(pane, big, Duration.ofSeconds(10)).status()).isEqualTo(413);
        // a good event afterwards is stored, so the count above is a real baseline
        assertThat(c.post(pane, "{\"hook_event_name\":\"Stop\",\"session_id\":\"x\"}", Duration.ofSeconds(5))
                .status()).isEqualTo(200);
        Await.value("good event stored", Duration.ofSeconds(20),
                () -> stack.queryLong("select count(*) from events where type = 'hook.Stop'") == 1);
        assertThat(stack.queryLong("select count(*) from events")).isEqualTo(events + 1);
        assertThat(stack.queryLong("select count(*) from approvals")).isZero();
    }
}
