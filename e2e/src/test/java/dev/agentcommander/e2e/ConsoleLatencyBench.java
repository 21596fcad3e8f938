package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4 figure: pane output → UI WebSocket client latency, p50/p99, with 1 and with 100 panes streaming, next to
 * the floor (a tmux control-mode client reading the same panes) measured in the same run.
 * Args: [seconds per run=15] [pane counts=1,100].
 */
public final class ConsoleLatencyBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String[] counts = (args.length > 1 ? args[1] : "1,100").split(",");
        Path dir = Files.createTempDirectory("console-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            PrivateTmux tmux = stack.tmux(Map.of());
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            stack.startAgentd();
            for (String c : counts) {
                run(stack, tmux, dir, Integer.parseInt(c.trim()), seconds);
            }
            System.out.println("[" + Stats.machine() + "]");
        }
    }

    private static void run(Stack stack, PrivateTmux tmux, Path dir, int panes, int seconds) throws Exception {
        List<String> paneIds = new ArrayList<>();
        for (int i = 0; i < panes; i++) {
            paneIds.add(tmux.window(dir, "bash", "--norc", "--noprofile", "-c", MarkerClock.PANE_SCRIPT));
        }
        Map<String, String> sessionOfPane = new HashMap<>();
        for (String p : paneIds) {
            sessionOfPane.put(p, Await.value("session " + p, Duration.ofSeconds(60),
                    () -> FoundationLookup.sessionId(stack, p)));
        }
        Stats ui = new Stats();
        Stats floor = new Stats();
        Process control = new ProcessBuilder("tmux", "-S", tmux.socket().toString(), "-C", "attach", "-t", "main")
                .redirectErrorStream(true).start();
        Map<String, MarkerClock> floorClocks = new HashMap<>();
        Thread floorReader = Thread.ofPlatform().name("floor-reader").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(control.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("%output ")) {
                        int sp = line.indexOf(' ', 8);
                        String pane = line.substring(8, sp);
                        if (sessionOfPane.containsKey(pane)) {
                            // control mode escapes \r\n as \015\012; a marker line ends at the escaped newline
                            floorClocks.computeIfAbsent(pane, k -> new MarkerClock(floor))
                                    .feed(line.substring(sp + 1).replace("\\015\\012", "\n"));
                        }
                    }
                }
            } catch (Exception ignored) {
                // the client is killed at the end of the run
            }
        });
        try (UiClient c = new UiClient(stack.baseUrl(), stack.jwt(Role.VIEWER))) {
            Map<String, MarkerClock> uiClocks = new HashMap<>();
            int n = 0;
            for (String p : paneIds) {
                c.subscribe("c" + n++, "console", "{\"session_id\":\"" + sessionOfPane.get(p) + "\"}");
            }
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                JsonNode m = c.received.poll(100, TimeUnit.MILLISECONDS);
                if (m == null || !"console.chunk".equals(m.path("type").asText())) {
                    continue;
                }
                String text = new String(Base64.getDecoder().decode(m.get("data").asText()), StandardCharsets.UTF_8);
                MarkerClock clock = uiClocks.computeIfAbsent(m.get("sub").asText(), k -> new MarkerClock(ui));
                if (System.nanoTime() < warmEnd) {
                    continue;
                }
                clock.feed(text);
            }
        } finally {
            control.destroy();
            control.waitFor(5, TimeUnit.SECONDS);
            floorReader.join(5000);
            for (String p : paneIds) {
                tmux.run("kill-pane", "-t", p);
            }
        }
        System.out.printf("%3d panes, pane output -> UI WebSocket client: %s%n", panes, ui.summary(" ms"));
        System.out.printf("%3d panes, floor (tmux control client, same panes): %s%n", panes, floor.summary(" ms"));
        System.out.printf("%3d panes, UI p99 / floor p99 = %.1f%n", panes, ui.percentile(99) / floor.percentile(99));
    }
}
