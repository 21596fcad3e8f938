package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Issue 5 figures: hook fired → approval visible to a UI subscriber, and decision posted → hook returns, p50/p99.
 * The hook is posted the way the hook script posts it (HTTP to agentd's receiver); the script's own overhead is
 * measured apart (agentd's HookOverheadBench). Args: [samples=100].
 */
public final class ApprovalsBench {
    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path dir = Files.createTempDirectory("approvals-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            String pane = HookStream.paneFor(stack); // agentd answers hooks only for panes it knows
            stack.startAgentd();
            HookClient hooks = new HookClient(stack.hooksPort);
            Await.value("hook receiver", Duration.ofSeconds(30), hooks::up);
            Rest operator = stack.rest(Role.OPERATOR);
            Stats visible = new Stats();
            Stats returned = new Stats();
            try (UiClient ui = new UiClient(stack.baseUrl(), stack.jwt(Role.VIEWER))) {
                ui.subscribe("ap", "approvals", "{\"status\":\"pending\"}");
                ui.await(Duration.ofSeconds(10), "subscribed", UiClient.type("subscribed"));
                for (int i = 0; i < samples + 10; i++) {
                    String marker = "bench-" + i;
                    String json = "{\"session_id\":\"c\",\"hook_event_name\":\"PermissionRequest\",\"tool_name\":\"Bash\","
                            + "\"tool_input\":{\"command\":\"" + marker + "\"},\"permission_suggestions\":[]}";
                    long t0 = System.nanoTime();
                    CompletableFuture<Long> hookDone = CompletableFuture.supplyAsync(() -> {
                        try {
                            HookClient.Reply r = hooks.post(pane, json, Duration.ofSeconds(30));
                            if (!r.body().contains("\"allow\"")) {
                                throw new IllegalStateException("hook answered " + r);
                            }
                            return System.nanoTime();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    JsonNode m = ui.await(Duration.ofSeconds(10), "approval " + marker, x ->
                            "approvals.changed".equals(x.path("type").asText())
                                    && marker.equals(x.path("approval").path("tool_input").path("command").asText()));
                    long seen = System.nanoTime();
                    String id = m.path("approval").has("approval_id") ? m.path("approval").get("approval_id").asText()
                            : m.path("approval").get("id").asText();
                    long d0 = System.nanoTime();
                    Rest.Reply r = operator.post("/v1/approvals/" + id + "/decision", Map.of("behavior", "allow"));
                    if (r.status() != 200) {
                        throw new IllegalStateException("decision: " + r);
                    }
                    long back = hookDone.get();
                    if (i >= 10) {
                        visible.add((seen - t0) / 1e6);
                        returned.add((back - d0) / 1e6);
                    }
                }
            }
            System.out.println("hook fired -> approval visible to a UI subscriber: " + visible.summary(" ms"));
            System.out.println("decision posted -> hook returns with it:           " + returned.summary(" ms"));
            System.out.println("[" + Stats.machine() + "]");
        }
    }
}
