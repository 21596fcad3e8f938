package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 19's figure: a dev box from the dashboard's one line to its first pane visible on the control plane, on a
 * fresh box each run (new HOME, install dir and state dir): the install line (download agentd from the control
 * plane, unpack, {@code agentd enroll}), then agentd's start to its first pane in {@code GET /v1/sessions}. The
 * control plane and its Postgres stay up across runs, as they would for a team; each box has its own tmux server.
 * Args: [runs=5].
 */
public final class EnrollBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = Files.createTempDirectory("enroll-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            System.out.println("load average at start " + load());
            Stats line = new Stats();
            Stats firstPane = new Stats();
            Stats total = new Stats();
            for (int i = 0; i < runs; i++) {
                String name = "bench-box-" + i;
                Rest.Reply code = stack.rest(Role.ADMIN).post("/v1/hosts/enroll-codes", Map.of("name", name));
                if (code.status() != 201) {
                    throw new IllegalStateException("enroll code: " + code);
                }
                DevBox box = new DevBox(dir.resolve("box-" + i));
                // a tmux server of its own: a pane keeps its session id (@ac_session_id), which belongs to one host
                long t0;
                long t1;
                long t2;
                try (PrivateTmux tmux = PrivateTmux.start(Files.createDirectories(box.home.resolve("tmux")))) {
                    String pane = tmux.firstPane();
                    t0 = System.nanoTime();
                    DevBox.Result r = box.install(code.body().get("command").asText());
                    t1 = System.nanoTime();
                    if (r.exit() != 0) {
                        throw new IllegalStateException("install line failed:\n" + r.output());
                    }
                    String hostId = hostId(stack, name);
                    try (JavaProcess agentd = box.startDaemon(dir.resolve("logs"), tmux.socket(),
                            box.home.resolve("state"))) {
                        Await.value("first pane of " + name, Duration.ofSeconds(120), () -> {
                            for (JsonNode s : stack.rest(Role.VIEWER).get("/v1/sessions?host_id=" + hostId).body()
                                    .get("items")) {
                                if (s.at("/tmux/pane_id").asText().equals(pane)) {
                                    return s;
                                }
                            }
                            return null;
                        });
                        t2 = System.nanoTime();
                    }
                }
                line.add((t1 - t0) / 1e6);
                firstPane.add((t2 - t1) / 1e6);
                total.add((t2 - t0) / 1e6);
                System.out.printf(Locale.ROOT, "run %d: install line %.0f ms, agentd start -> first pane %.0f ms, "
                        + "total %.0f ms%n", i + 1, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6);
            }
            print("install line (download, unpack, agentd enroll)", line);
            print("agentd start -> first pane visible", firstPane);
            print("enrollment line -> first pane visible", total);
            System.out.println("[" + Stats.machine() + "; load average " + load() + "]");
        }
    }

    /** The 1, 5 and 15 minute load averages, as uptime prints them. */
    private static String load() throws java.io.IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static String hostId(Stack stack, String name) {
        for (JsonNode h : stack.rest(Role.VIEWER).get("/v1/hosts").body().get("items")) {
            if (h.get("name").asText().equals(name)) {
                return h.get("id").asText();
            }
        }
        throw new IllegalStateException("host " + name + " not enrolled");
    }

    private static void print(String what, Stats s) {
        System.out.printf(Locale.ROOT, "%s: n=%d min=%.0f ms median=%.0f ms max=%.0f ms%n", what, s.count(),
                s.percentile(0), s.percentile(50), s.percentile(100));
    }
}
