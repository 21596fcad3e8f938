package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost, nothing duplicated: real processes killed with SIGKILL while events flow through agentd's outbox
 * to the control plane and Postgres.
 */
class ReliabilityE2eTest {
    @TempDir
    Path dir;
    Stack stack;
    /** The pane hook events name: agentd accepts hooks only for panes its scanner knows. */
    String pane;

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    private PrivateTmux startStack(boolean withTmux) throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        PrivateTmux tmux = withTmux ? stack.tmux(Map.of()) : null;
        pane = tmux == null ? null : tmux.run("display-message", "-p", "-t", "main", "#{pane_id}").trim();
        stack.startAgentd();
        return tmux;
    }

    private HookClient hooks() throws InterruptedException {
        HookClient c = new HookClient(stack.hooksPort);
        Await.value("agentd hook receiver", Duration.ofSeconds(30), c::up);
        return c;
    }

    private static String event(int n) {
        return "{\"hook_event_name\":\"PostToolUse\",\"session_id\":\"claude-1\",\"tool_name\":\"Bash\","
                + "\"tool_input\":{\"command\":\"true\"},\"marker\":" + n + "}";
    }

    /** Posts one event until agentd accepted it (200 = durably in its outbox). */
    private void deliver(HookClient c, int n) throws InterruptedException {
        for (int attempt = 0; attempt < 600; attempt++) {
            HookClient.Reply r = c.post(pane, event(n), Duration.ofSeconds(10));
            if (r.status() == 200) {
                return;
            }
            assertThat(r.status()).as("hook receiver answer for event %d: %s", n, r.body()).isIn(-1, 503);
            Thread.sleep(50);
        }
        throw new AssertionError("event " + n + " never accepted");
    }

    private long stored(String type) {
        return stack.queryLong("select count(*) from events where host_id = ? and type = ?", stack.hostId(), type);
    }

    @Test
    void tenThousandEventsSurviveKillingControlPlaneAndAgentdTwiceEach() throws Exception {
        startStack(true);
        HookClient c = hooks();
        int total = 10_000;
        for (int n = 0; n < total; n++) {
            switch (n) {
                case 1500, 5500 -> { // the control plane dies mid-stream; agentd keeps appending to its outbox
                    stack.controlPlane().kill9();
                    Thread.ofVirtual().start(() -> {
                        try {
                            Thread.sleep(1000);
                            stack.startControlPlane();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
                case 3500, 7500 -> { // agentd dies between two accepted events, with unacked messages on disk
                    stack.agentd().kill9();
                    stack.startAgentd();
                    c = hooks();
                }
                default -> { }
            }
            deliver(c, n);
        }
        Await.value("all events stored", Duration.ofSeconds(120), () -> stored("hook.PostToolUse") >= total);
        assertThat(stored("hook.PostToolUse")).isEqualTo(total);
        assertThat(stack.queryLong("select count(distinct (payload->>'marker')::int) from events "
                + "where host_id = ? and type = 'hook.PostToolUse'", stack.hostId())).isEqualTo(total);
        assertThat(stack.queryLong("select min((payload->>'marker')::int) from events where host_id = ? "
                + "and type = 'hook.PostToolUse'", stack.hostId())).isZero();
        assertThat(stack.queryLong("select max((payload->>'marker')::int) from events where host_id = ? "
                + "and type = 'hook.PostToolUse'", stack.hostId())).isEqualTo(total - 1);
        long count = stack.queryLong("select count(*) from events where host_id = ?", stack.hostId());
        long min = stack.queryLong("select min(seq) from events where host_id = ?", stack.hostId());
        long max = stack.queryLong("select max(seq) from events where host_id = ?", stack.hostId());
        assertThat(max - min + 1).as("seqs contiguous").isEqualTo(count);
        // the events arrive in the order agentd accepted them
        assertThat(stack.queryLong("select count(*) from (select (payload->>'marker')::int m, "
                + "lag((payload->>'marker')::int) over (order by seq) p from events where host_id = ? "
                + "and type = 'hook.PostToolUse') t where p is not null and m <> p + 1", stack.hostId())).isZero();
        assertThat(stack.queryLong("select last_acked_seq from hosts where id = ?", stack.hostId()))
                .isGreaterThanOrEqualTo(max);
    }

    @Test
    void postgresStoppedUnderLoadAcksNothingUnstoredAndStoresEverythingAfter() throws Exception {
        startStack(true);
        HookClient c = hooks();
        for (int n = 0; n < 500; n++) {
            deliver(c, n);
        }
        Await.value("first batch stored", Duration.ofSeconds(30), () -> stored("hook.PostToolUse") == 500);
        stack.stopDatabase();
        long ackedWhenDown = readAcked();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int n = 500;
        long maxAckedWhileDown = ackedWhenDown;
        while (System.nanoTime() < deadline) {
            deliver(c, n++);
            maxAckedWhileDown = Math.max(maxAckedWhileDown, readAcked());
            Thread.sleep(5);
        }
        assertThat(stack.rest(Role.VIEWER).get("/health").status()).isEqualTo(503);
        stack.startDatabase();
        int total = n;
        Await.value("everything stored after Postgres returned", Duration.ofSeconds(90),
                () -> stored("hook.PostToolUse") >= total);
        assertThat(stored("hook.PostToolUse")).isEqualTo(total);
        // whatever agentd saw acked while Postgres was down was already stored before it went down
        assertThat(stack.queryLong("select count(*) from events where host_id = ? and seq <= ?", stack.hostId(),
                maxAckedWhileDown)).isEqualTo(maxAckedWhileDown - stack.queryLong(
                "select min(seq) from events where host_id = ?", stack.hostId()) + 1);
        assertThat(maxAckedWhileDown).isLessThanOrEqualTo(stack.queryLong(
                "select max(seq) from events where host_id = ? and (payload->>'marker')::int < 500",
                stack.hostId()));
        assertThat(stack.rest(Role.VIEWER).get("/health").status()).isEqualTo(200);
    }

    private long readAcked() throws Exception {
        Path f = stack.agentdStateDir().resolve("acked");
        return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
    }

    @Test
    void commandIssuedWhileAgentdIsDownRunsExactlyOnceAfterItReturns() throws Exception {
        PrivateTmux tmux = startStack(true);
        String pane = tmux.window(dir, "bash", "--norc", "--noprofile");
        String sessionId = Await.value("shell session", Duration.ofSeconds(20),
                () -> FoundationLookup.sessionId(stack, pane));
        stack.agentd().kill9();
        Rest.Reply r = stack.rest(Role.OPERATOR).post("/v1/sessions/" + sessionId + "/commands",
                Map.of("type", "send_input", "text", "echo $((6*7))-ran-once", "submit", true));
        assertThat(r.status()).isIn(200, 201, 202);
        String commandId = r.body().get("command_id").asText();
        assertThat(r.body().get("status").asText()).isEqualTo("queued");
        Thread.sleep(500);
        assertThat(tmux.joinedScreen(pane)).doesNotContain("42-ran-once");
        stack.startAgentd();
        Await.value("command completed", Duration.ofSeconds(30), () -> "completed".equals(
                stack.rest(Role.VIEWER).get("/v1/commands/" + commandId).body().path("status").asText()));
        Await.value("output", Duration.ofSeconds(10), () -> tmux.joinedScreen(pane).contains("42-ran-once"));
        // a second restart must not run it again
        stack.agentd().kill9();
        stack.startAgentd();
        hooks();
        Thread.sleep(2000);
        String screen = tmux.joinedScreen(pane);
        assertThat(screen.split("42-ran-once", -1).length - 1).as(screen).isEqualTo(1);
        assertThat(stack.queryLong("select count(*) from events where type = 'command.completed' "
                + "and payload->>'command_id' = ?", commandId)).isEqualTo(1);
    }

    @Test
    void replayedAndOutOfOrderSeqsAreAckedWithoutCorruptingState() throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        Rest.Reply host = stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", "raw-2"));
        String hostId = host.body().get("host").get("id").asText();
        String token = host.body().get("token").asText();
        String hello = "{\"v\":1,\"type\":\"agent.hello\",\"payload\":{\"host_name\":\"raw-2\",\"protocol\":1,"
                + "\"capabilities\":[],\"last_acked_seq\":0}}";
        try (WsClient a = agentSocket(token)) {
            a.send(hello);
            a.nextOfType("agent.welcome");
            for (int seq : new int[] {1, 2, 3}) {
                a.send(ev(seq));
            }
            awaitAck(a, 3);
            a.send(ev(2)); // replayed
            awaitAck(a, 3);
            a.send(ev(10)); // gap: accepted and logged
            awaitAck(a, 10);
            a.send(ev(5)); // out of window, older than what is stored
            awaitAck(a, 10);
            assertThat(a.closed).isNotDone();
        }
        assertThat(stack.queryLong("select count(*) from events where host_id = ?", hostId)).isEqualTo(4);
        assertThat(stack.queryLong("select count(*) from events where host_id = ? and seq in (1,2,3,10)", hostId))
                .isEqualTo(4);
        assertThat(stack.queryLong("select last_acked_seq from hosts where id = ?", hostId)).isEqualTo(10);
        assertThat(stack.queryLong("select count(*) from audit_log where action = 'ingest.gap' and target = ? "
                + "and (detail->>'after')::int = 3 and (detail->>'next')::int = 10", hostId)).isEqualTo(1);
        try (WsClient a = agentSocket(token)) {
            a.send(hello);
            assertThat(a.nextOfType("agent.welcome").at("/payload/last_acked_seq").asLong()).isEqualTo(10);
        }
    }

    /** A hand-driven agent connection, for sending exactly the frames a test wants. */
    private WsClient agentSocket(String token) {
        return WsClient.connect(stack.baseUrl().replace("http://", "ws://") + "/v1/agent", token);
    }

    private static void awaitAck(WsClient a, long seq) {
        a.next("agent.ack of seq " + seq, Duration.ofSeconds(10), f -> f.path("type").asText().equals("agent.ack")
                && f.at("/payload/seq").asLong() == seq);
    }

    private static String ev(int seq) {
        return "{\"v\":1,\"type\":\"events.append\",\"seq\":" + seq + ",\"ts\":\"2026-11-23T10:00:00Z\",\"payload\":"
                + "{\"session_id\":\"s_raw\",\"event_type\":\"test.event\",\"data\":{\"n\":" + seq + "}}}";
    }
}
