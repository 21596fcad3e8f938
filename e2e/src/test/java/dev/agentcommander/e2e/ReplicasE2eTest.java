package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several control planes on one Postgres (the design's "growing past one control plane"): three replica JVMs on a
 * Postgres started on its own, the test's TCP balancer in front, a real agentd behind it, dashboards on each
 * replica. What one replica takes in reaches the others through Postgres only; a replica killed with SIGKILL
 * loses nothing; a Postgres restart is waited out by every replica's LISTEN connection.
 */
class ReplicasE2eTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Stack stack;
    private final List<JavaProcess> replicas = new ArrayList<>();
    private ReplicaBalancer balancer;

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.stopAgentd();
        }
        for (JavaProcess p : replicas) {
            p.close();
        }
        if (balancer != null) {
            balancer.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** Another control-plane JVM on the stack's Postgres; returns its port. */
    private int startReplica(String name) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", stack.jdbcUrl());
        env.put("JWT_SECRET", Stack.JWT_SECRET);
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.put("DATA_DIR", dir.resolve(name).toString());
        JavaProcess p = JavaProcess.start(name, dir.resolve("logs"), List.of("-Xmx256m",
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir")),
                "dev.agentcommander.controlplane.Main", List.of("serve"), env);
        replicas.add(p);
        return Integer.parseInt(p.awaitLine("control-plane listening on http://[^:]+:(\\d+)", LONG));
    }

    private static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    private static String event(int n) {
        return "{\"hook_event_name\":\"PostToolUse\",\"session_id\":\"claude-1\",\"tool_name\":\"Bash\","
                + "\"tool_input\":{\"command\":\"true\"},\"marker\":" + n + "}";
    }

    /** Posts one hook event until agentd accepted it (200 = durably in its outbox). */
    private static void deliver(HookClient c, String pane, int n) throws InterruptedException {
        for (int attempt = 0; attempt < 600; attempt++) {
            HookClient.Reply r = c.post(pane, event(n), Duration.ofSeconds(10));
            if (r.status() == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("event " + n + " never accepted");
    }

    /** Collects the markers of hook events pushed to {@code ui} (a subscriber of the session's events). */
    private static Set<Integer> markers(UiClient ui) {
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        Thread.ofVirtual().name("ui-markers").start(() -> {
            while (!ui.closed()) {
                try {
                    JsonNode m = ui.received.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (m != null && m.path("type").asText().equals("events.appended")
                            && m.at("/event/payload/marker").isInt()) {
                        seen.add(m.at("/event/payload/marker").asInt());
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return seen;
    }

    private long stored() {
        return stack.queryLong("select count(*) from events where host_id = ? and type = 'hook.PostToolUse'",
                stack.hostId());
    }

    @Test
    void threeReplicasServeOneHostAndItsDashboardsThroughAReplicaKillAndAPostgresRestart() throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        int a = Integer.parseInt(stack.baseUrl().replaceAll(".*:", ""));
        stack.registerHost("e2e-host");
        int b = startReplica("cp-b");
        int c = startReplica("cp-c");
        List<Integer> ports = List.of(a, b, c);
        balancer = new ReplicaBalancer(ports, 1); // agentd's first connection lands on B
        stack.agentLinkTo(balancer.port());
        PrivateTmux tmux = stack.tmux(Map.of());
        String pane = tmux.run("display-message", "-p", "-t", "main", "#{pane_id}").trim();
        String hostId = stack.hostId();
        Rest opA = new Rest(url(a), stack.jwt(Role.OPERATOR));

        // a session ingested on B reaches a dashboard on A
        JsonNode session;
        try (UiClient uiA = new UiClient(url(a), stack.jwt(Role.VIEWER))) {
            uiA.subscribe("s", "sessions", "{}");
            uiA.await(LONG, "subscribed", UiClient.type("subscribed"));
            stack.startAgentd();
            session = uiA.await(LONG, "the pane's session, pushed by A", m ->
                    "sessions.changed".equals(m.path("type").asText())
                            && hostId.equals(m.at("/session/host_id").asText())).get("session");
        }
        assertThat(balancer.openTo(b)).as("agentd is held by B").isEqualTo(1);
        String sid = session.get("session_id").asText();
        HookClient hooks = new HookClient(stack.hooksPort);
        Await.value("agentd hook receiver", LONG, hooks::up);

        // a command posted on A is run by the host on B, and its result is visible on A
        Rest.Reply posted = opA.post("/v1/sessions/" + sid + "/commands",
                Map.of("type", "send_input", "text", "echo rp-e2e-$((6*7))", "submit", true));
        assertThat(posted.status()).isEqualTo(202);
        String commandId = posted.body().get("command_id").asText();
        Await.until("the pane ran the command", LONG, () ->
                tmux.run("capture-pane", "-p", "-t", pane).contains("rp-e2e-42"));
        Await.until("the result, seen on A", LONG, () ->
                "completed".equals(opA.get("/v1/commands/" + commandId).body().path("status").asText()));

        // an approval decided on A reaches the hook held by B's host
        String ask = "{\"session_id\":\"c\",\"hook_event_name\":\"PermissionRequest\",\"tool_name\":\"Bash\","
                + "\"tool_input\":{\"command\":\"rp-e2e-approve\"},\"permission_suggestions\":[]}";
        CompletableFuture<HookClient.Reply> hookAnswer = CompletableFuture.supplyAsync(() -> {
            try {
                return hooks.post(pane, ask, LONG);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        String approvalId = Await.value("the approval, pending on A", LONG, () -> {
            for (JsonNode ap : opA.get("/v1/approvals?status=pending").body().path("items")) {
                if ("rp-e2e-approve".equals(ap.at("/tool_input/command").asText())) {
                    return ap.get("id").asText();
                }
            }
            return null;
        });
        assertThat(opA.post("/v1/approvals/" + approvalId + "/decision", Map.of("behavior", "allow")).status())
                .isEqualTo(200);
        assertThat(hookAnswer.get(60, java.util.concurrent.TimeUnit.SECONDS).body()).contains("\"allow\"");

        List<UiClient> dashboards = new ArrayList<>();
        Map<Integer, Set<Integer>> seen = new HashMap<>();
        try {
            for (int port : ports) {
                UiClient ui = new UiClient(url(port), stack.jwt(Role.VIEWER));
                ui.subscribe("e", "events", "{\"session_id\":\"" + sid + "\"}");
                ui.await(LONG, "subscribed", UiClient.type("subscribed"));
                dashboards.add(ui);
                seen.put(port, markers(ui));
            }

            // Postgres restarts: every replica listens again, and what B ingests afterwards reaches A and C
            stack.stopDatabase();
            stack.startDatabase();
            Await.until("three LISTEN connections again", LONG, () -> stack.queryLong("select count(*) from "
                    + "pg_stat_activity where application_name = 'agent-commander-listen'") == 3);
            for (int n = 0; n < 100; n++) {
                deliver(hooks, pane, n);
            }
            Await.until("100 events stored", LONG, () -> stored() == 100);
            for (int port : ports) {
                Await.until("every event on the dashboard of " + port, LONG, () -> seen.get(port).size() == 100);
            }

            // kill -9 of the replica holding the host, under load
            Map<Integer, JavaProcess> jvms = Map.of(a, stack.controlPlane(), b, replicas.get(0), c, replicas.get(1));
            int holder = ports.stream().filter(p -> balancer.openTo(p) == 1).findFirst().orElseThrow();
            long epoch = stack.queryLong("select connection_epoch from hosts where id = ?", hostId);
            int total = 600;
            int killAt = 300;
            CompletableFuture<Double> failover = null;
            for (int n = 100; n < total; n++) {
                if (n == killAt) {
                    jvms.get(holder).kill9();
                    long killed = System.nanoTime();
                    failover = CompletableFuture.supplyAsync(() -> {
                        Await.until("agentd connected to another replica", LONG, () -> stack.queryLong(
                                "select count(*) from hosts where id = ? and connection_epoch > ? "
                                        + "and connected_epoch = connection_epoch", hostId, epoch) == 1);
                        return (System.nanoTime() - killed) / 1e9;
                    });
                }
                deliver(hooks, pane, n);
            }
            Await.until("every event stored", Duration.ofSeconds(90), () -> stored() >= total);
            assertThat(stored()).as("each accepted event stored once").isEqualTo(total);
            assertThat(stack.queryLong("select count(distinct (payload->>'marker')::int) from events "
                    + "where host_id = ? and type = 'hook.PostToolUse'", hostId)).isEqualTo(total);
            for (int port : ports) {
                if (port == holder) {
                    continue;
                }
                Await.until("the surviving dashboard on " + port + " keeps receiving", LONG, () ->
                        seen.get(port).containsAll(java.util.stream.IntStream.range(killAt, total).boxed().toList()));
            }
            double seconds = failover.get(90, java.util.concurrent.TimeUnit.SECONDS);
            System.out.printf("replica killed -> agentd held by another replica after %.2f s%n", seconds);
            assertThat(seconds).as("the design's failover bound").isLessThanOrEqualTo(5.0);
            assertThat(balancer.openTo(holder)).isZero();
        } finally {
            dashboards.forEach(UiClient::close);
        }
    }
}
