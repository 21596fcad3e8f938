package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * Issue 4 and 16 figures: keystroke → echo round trip through the control plane and agentd into a pane running
 * {@code cat}, until its echo arrives on a UI console subscription, two ways alternating in the same run (so the
 * same machine load hits both): {@code POST …/commands send_input} (REST), and the UI socket's {@code input}
 * message, which is what the dashboard's terminal sends per keystroke. Args: [samples=200].
 */
public final class KeystrokeBench {
    private static final int WARMUP = 200;
    private static final long PACE_MS = 30;

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("keystroke-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            PrivateTmux tmux = stack.tmux(Map.of());
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            stack.startAgentd();
            String pane = tmux.window(dir, "cat");
            String session = Await.value("session", Duration.ofSeconds(30),
                    () -> FoundationLookup.sessionId(stack, pane));
            Rest rest = stack.rest(Role.OPERATOR);
            Stats rtt = new Stats();
            Stats post = new Stats();
            Stats socket = new Stats();
            try (UiClient ui = new UiClient(stack.baseUrl(), stack.jwt(Role.VIEWER));
                 UiClient typist = new UiClient(stack.baseUrl(), stack.jwt(Role.OPERATOR))) {
                ui.subscribe("k", "console", "{\"session_id\":\"" + session + "\"}");
                ui.await(Duration.ofSeconds(10), "snapshot", UiClient.type("console.snapshot"));
                for (int i = 0; i < samples + WARMUP; i++) {
                    Thread.sleep(PACE_MS); // stay under the REST rate limit (40/s per caller): typing speed
                    String key = "k" + i + "x";
                    StringBuilder seen = new StringBuilder();
                    boolean viaSocket = i % 2 == 1;
                    long t0 = System.nanoTime();
                    if (viaSocket) {
                        String typed = key + (i % 10 == 9 ? "\r" : "");
                        typist.send("{\"type\":\"input\",\"session_id\":\"" + session + "\",\"data\":\""
                                + Base64.getEncoder().encodeToString(typed.getBytes(StandardCharsets.UTF_8)) + "\"}");
                    } else {
                        Rest.Reply r = rest.post("/v1/sessions/" + session + "/commands",
                                Map.of("type", "send_input", "text", key, "submit", i % 10 == 9));
                        if (r.status() >= 300) {
                            throw new IllegalStateException("send_input: " + r);
                        }
                    }
                    long posted = System.nanoTime();
                    ui.await(Duration.ofSeconds(10), "echo " + key, m -> {
                        if ("console.chunk".equals(m.path("type").asText())) {
                            seen.append(new String(Base64.getDecoder().decode(m.get("data").asText()),
                                    StandardCharsets.UTF_8));
                        }
                        return seen.indexOf(key) >= 0;
                    });
                    if (i >= WARMUP && viaSocket) {
                        socket.add((System.nanoTime() - t0) / 1e6);
                    } else if (i >= WARMUP) { // the first ones warm up the JITs
                        rtt.add((System.nanoTime() - t0) / 1e6);
                        post.add((posted - t0) / 1e6);
                    }
                }
            }
            System.out.println("keystroke -> echo via REST, control plane, agentd, tmux and back on the UI socket: "
                    + rtt.summary(" ms"));
            System.out.println("  of which the REST call (stored, audited, answered 202): " + post.summary(" ms"));
            System.out.println("keystroke -> echo via the UI socket's input message (the dashboard terminal):  "
                    + socket.summary(" ms"));
            System.out.printf(java.util.Locale.ROOT, "  min: REST %.2f ms, UI socket %.2f ms%n", rtt.percentile(0),
                    socket.percentile(0));
            System.out.println("[" + Stats.machine() + "]");
        }
    }
}
