package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.schema.Json;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approval rules, the host's timeout action and notifications with real processes: a stand-in claude runs the
 * real hook command against a real agentd, linked to a real control plane on Postgres; a webhook receiver runs
 * in the test on 127.0.0.1:0.
 */
class ApprovalRulesE2eTest {
    private static final String SECRET = "e2e-webhook-secret";
    @TempDir
    Path dir;
    Stack stack;
    PrivateTmux tmux;
    HttpServer receiver;
    final List<String[]> webhooks = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private void start(Map<String, String> agentd, boolean notify) throws Exception {
        stack = new Stack(dir).startDatabase();
        if (notify) {
            receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            receiver.createContext("/hook", ex -> {
                webhooks.add(new String[] {new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                        ex.getRequestHeaders().getFirst("X-Agent-Commander-Signature")});
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            receiver.start();
            stack.controlPlaneEnv.put("NOTIFY_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort()
                    + "/hook");
            stack.controlPlaneEnv.put("NOTIFY_WEBHOOK_SECRET", SECRET);
            stack.controlPlaneEnv.put("NOTIFY_DELAY_SECONDS", "1");
        }
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        Path bin = Fixtures.standinBin(dir);
        tmux = stack.tmux(stack.hookEnv(bin));
        stack.agentdConfig.putAll(agentd);
        stack.startAgentd();
        Await.value("hook receiver", Duration.ofSeconds(30), new HookClient(stack.hooksPort)::up);
    }

    private String rule(Map<String, Object> body) {
        Rest.Reply r = stack.rest(Role.ADMIN).post("/v1/approval-rules", body);
        assertThat(r.status()).as("rule " + body + ": " + r.body()).isEqualTo(201);
        return r.body().at("/rule/id").asText();
    }

    private String fireHook(String tool, String inputJson) throws Exception {
        return tmux.window(dir, "claude", "hook", tool, inputJson);
    }

    private String awaitHookOutput(String pane) throws InterruptedException {
        return Await.value("hook output in " + pane, Duration.ofSeconds(40), () -> {
            String screen = tmux.joinedScreen(pane);
            int i = screen.indexOf("HOOK-OUT=");
            return screen.contains("HOOK-EXIT=") && i >= 0 ? screen.substring(i + 9).lines().findFirst().orElse("")
                    : null;
        });
    }

    private JsonNode approval(String tool) throws InterruptedException {
        return Await.value("approval of " + tool, Duration.ofSeconds(40), () -> {
            for (JsonNode a : stack.rest(Role.VIEWER).get("/v1/approvals").body().path("items")) {
                if (tool.equals(a.path("tool_name").asText())) {
                    return a;
                }
            }
            return null;
        });
    }

    @Test
    void anAllowRuleAnswersTheHookWithNoPersonAndTheAuditNamesTheRule() throws Exception {
        start(Map.of(), false);
        String id = rule(Map.of("tool", "Bash", "pattern", "^ls( |$)", "action", "allow"));
        String pane = fireHook("Bash", "{\"command\":\"ls -la\"}");
        assertThat(awaitHookOutput(pane)).contains("\"hookEventName\":\"PermissionRequest\"")
                .contains("\"behavior\":\"allow\"");
        JsonNode a = approval("Bash");
        assertThat(a.path("decided_by").asText()).isEqualTo("rule:" + id);
        assertThat(a.path("risk").asText()).isEqualTo("high");
        JsonNode audit = stack.rest(Role.ADMIN).get("/v1/audit").body().path("items");
        assertThat(audit.toString()).contains("\"actor\":\"rule:" + id + "\"").contains("\"action\":\"approval.decide\"");
        Await.value("resolved allowed on the host", Duration.ofSeconds(20), () -> "allowed".equals(stack
                .rest(Role.VIEWER).get("/v1/approvals/" + a.path("id").asText()).body().path("status").asText()));
    }

    @Test
    void aDenyRuleBeatsAnAllowRuleAndItsMessageReachesClaude() throws Exception {
        start(Map.of(), false);
        rule(Map.of("tool", "Bash", "action", "allow"));
        rule(Map.of("tool", "Bash", "pattern", "\\bgit\\s+push\\b.*\\s(--force\\b|-[a-zA-Z]*f)", "action", "deny",
                "message", "No force pushes: open a PR."));
        String pane = fireHook("Bash", "{\"command\":\"git push --force origin main\"}");
        assertThat(awaitHookOutput(pane)).contains("\"behavior\":\"deny\"").contains("No force pushes: open a PR.");
    }

    @Test
    void timeoutActionDenyAnswersDenyAtExpiry() throws Exception {
        start(Map.of("approval_timeout", "2", "timeout_action", "deny"), false);
        String pane = fireHook("Write", "{\"file_path\":\"/tmp/x.txt\",\"content\":\"x\"}");
        String out = awaitHookOutput(pane);
        assertThat(out).contains("\"behavior\":\"deny\"").contains("\"message\":\"expired\"");
        String id = approval("Write").path("id").asText();
        Await.value("approval ends expired", Duration.ofSeconds(20), () -> "expired".equals(
                stack.rest(Role.VIEWER).get("/v1/approvals/" + id).body().path("status").asText()));
    }

    @Test
    void aSignedWebhookArrivesForAPendingApprovalAndAClearedOneAfterTheDecision() throws Exception {
        start(Map.of(), true);
        String pane = fireHook("Edit", "{\"file_path\":\"/src/app/main.go\",\"old_string\":\"a\",\"new_string\":\"b\"}");
        String id = approval("Edit").path("id").asText();
        String[] pending = Await.value("approval.pending webhook", Duration.ofSeconds(20), () -> webhooks.stream()
                .filter(w -> w[0].contains("\"approval.pending:" + id + "\"")).findFirst().orElse(null));
        assertThat(pending[1]).isEqualTo("sha256=" + hmac(pending[0]));
        JsonNode body = Json.mapper().readTree(pending[0]);
        assertThat(body.at("/approval/host_name").asText()).isEqualTo("e2e-host");
        assertThat(body.at("/approval/tool_name").asText()).isEqualTo("Edit");
        assertThat(body.at("/approval/input").asText()).isEqualTo("/src/app/main.go");
        assertThat(body.get("url").asText()).endsWith("/approvals/" + id);
        assertThat(stack.rest(Role.OPERATOR).post("/v1/approvals/" + id + "/decision", Map.of("behavior", "deny"))
                .status()).isEqualTo(200);
        assertThat(awaitHookOutput(pane)).contains("\"behavior\":\"deny\"");
        String[] cleared = Await.value("approval.cleared webhook", Duration.ofSeconds(20), () -> webhooks.stream()
                .filter(w -> w[0].contains("\"approval.cleared:" + id + "\"")).findFirst().orElse(null));
        assertThat(cleared[1]).isEqualTo("sha256=" + hmac(cleared[0]));
        assertThat(Json.mapper().readTree(cleared[0]).at("/approval/decided_by").asText()).isNotEmpty();
    }

    private static String hmac(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
