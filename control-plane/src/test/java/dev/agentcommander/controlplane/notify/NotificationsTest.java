package dev.agentcommander.controlplane.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Notifications end to end: real control plane(s) and Postgres, the agent spoken frame by frame, and a webhook,
 * ntfy and Slack stand-in on 127.0.0.1:0. The delay runs on the injected clock, moved by the test.
 */
class NotificationsTest {
    static final FakeReceivers receivers = new FakeReceivers();
    static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock)
            .withNotifications(receivers.config(Duration.ofSeconds(5), Duration.ofSeconds(60)));
    private static final AtomicLong SEQ = new AtomicLong();

    private record Agent(String hostId, String name, String token, WsClient ws) implements AutoCloseable {
        void send(String type, String payload) {
            long seq = SEQ.incrementAndGet();
            ws.send(Frames.frame(type, seq, payload).replace("\"ts\":\"2026-11-23T10:00:00Z\"",
                    "\"ts\":\"" + clock.instant() + "\""));
            ws.next(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() >= seq);
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    private static Agent agent(TestControlPlane on, String name) {
        ObjectNode h = cp.createHost(name);
        Agent a = new Agent(h.at("/host/id").asText(), name, h.get("token").asText(),
                on.agent(h.get("token").asText(), name, SEQ.get()));
        a.send("sessions.upsert", "{\"session\":{\"session_id\":\"s-" + name + "\",\"kind\":\"pane\",\"provider\":"
                + "\"claude\",\"status\":\"RUNNING\",\"needs_attention\":false,\"name\":\"fix-login\",\"tmux\":"
                + "{\"session\":\"main\",\"window\":\"1\",\"pane_id\":\"%1\"},\"cwd\":\"/src/app\"}}");
        return a;
    }

    private static void ask(Agent a, String id, String command) {
        a.send("approval.requested", "{\"approval_id\":\"" + id + "\",\"session_id\":\"s-" + a.name()
                + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"" + command + "\"}}");
    }

    private static String status(String id, String kind) {
        return cp.string("SELECT string_agg(status, ',' ORDER BY channel) FROM notifications WHERE subject = '"
                + id + "' AND kind = '" + kind + "'");
    }

    @Test
    void aPendingApprovalIsSentSignedToEachChannelAndClearedAfterTheDecision() throws Exception {
        try (Agent a = agent(cp, "nt-host-1")) {
            ask(a, "np1", "git push origin feature");
            Thread.sleep(600); // a few worker rounds: nothing is due before the delay
            assertThat(receivers.ok("webhook", "np1")).isEmpty();
            clock.advance(Duration.ofSeconds(6));
            Await.until("pending sent on all three channels", () -> receivers.ok("webhook", "np1").size() == 1
                    && receivers.ok("ntfy", "np1").size() == 1 && receivers.ok("slack", "np1").size() == 1);

            FakeReceivers.Request hook = receivers.ok("webhook", "np1").getFirst();
            assertThat(hook.header(Senders.SIGNATURE)).isEqualTo("sha256=" + Senders.hmacSha256(FakeReceivers.SECRET,
                    hook.body().getBytes(StandardCharsets.UTF_8)));
            JsonNode body = hook.json();
            assertThat(body.get("id").asText()).isEqualTo("approval.pending:np1");
            assertThat(body.get("kind").asText()).isEqualTo("approval.pending");
            assertThat(body.get("url").asText()).isEqualTo("http://127.0.0.1:" + cp.port() + "/approvals/np1");
            assertThat(body.at("/approval/host_name").asText()).isEqualTo("nt-host-1");
            assertThat(body.at("/approval/session_name").asText()).isEqualTo("fix-login");
            assertThat(body.at("/approval/tool_name").asText()).isEqualTo("Bash");
            assertThat(body.at("/approval/input").asText()).isEqualTo("git push origin feature");
            assertThat(body.at("/approval/risk").asText()).isEqualTo("high");

            FakeReceivers.Request ntfy = receivers.ok("ntfy", "np1").getFirst();
            assertThat(ntfy.method()).isEqualTo("POST");
            assertThat(ntfy.path()).isEqualTo("/ntfy/agents/np1");
            assertThat(ntfy.header("Authorization")).isEqualTo("Bearer tk_test");
            assertThat(ntfy.header("Click")).endsWith("/approvals/np1");
            assertThat(ntfy.header("Title")).contains("Bash").contains("nt-host-1");
            assertThat(ntfy.body()).contains("fix-login").contains("git push origin feature");
            JsonNode slack = receivers.ok("slack", "np1").getFirst().json();
            assertThat(slack.get("text").asText()).contains("nt-host-1").contains("fix-login")
                    .contains("git push origin feature").contains("/approvals/np1|");

            assertThat(cp.post("/v1/approvals/np1/decision", cp.operator(), "{\"behavior\":\"deny\"}").status())
                    .isEqualTo(200);
            Await.until("cleared sent", () -> receivers.ok("webhook", "approval.cleared:np1").size() == 1
                    && receivers.received.stream().anyMatch(r -> r.method().equals("DELETE")
                    && r.path().equals("/ntfy/agents/np1"))
                    && receivers.ok("slack", "denied by olga").size() == 1);
            FakeReceivers.Request cleared = receivers.ok("webhook", "approval.cleared:np1").getFirst();
            assertThat(cleared.json().at("/approval/status").asText()).isEqualTo("denied");
            assertThat(cleared.json().at("/approval/decided_by").asText()).isEqualTo("olga");
            assertThat(cleared.header(Senders.SIGNATURE)).isEqualTo("sha256=" + Senders.hmacSha256(
                    FakeReceivers.SECRET, cleared.body().getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(status("np1", "approval.pending")).isEqualTo("done,done,done");
    }

    @Test
    void anApprovalDecidedWithinTheDelaySendsNothing() throws Exception {
        try (Agent a = agent(cp, "nt-host-2")) {
            ask(a, "nq1", "make test");
            assertThat(cp.post("/v1/approvals/nq1/decision", cp.operator(), "{\"behavior\":\"allow\"}").status())
                    .isEqualTo(200);
            clock.advance(Duration.ofSeconds(6));
            Await.until("rows skipped", () -> "skipped,skipped,skipped".equals(status("nq1", "approval.pending")));
            Thread.sleep(1500); // more rounds, derivation included: still nothing
            assertThat(receivers.received.stream().filter(r -> r.body().contains("nq1") || r.path().contains("nq1")))
                    .isEmpty();
            assertThat(cp.count("SELECT count(*) FROM notifications WHERE subject = 'nq1' AND kind = "
                    + "'approval.cleared'")).isZero();
        }
    }

    @Test
    void aReceiverDownFor30SecondsGetsTheNotificationOnceAfterItReturns() throws Exception {
        try (Agent a = agent(cp, "nt-host-3")) {
            receivers.down(true);
            try {
                ask(a, "nd1", "cargo build");
                clock.advance(Duration.ofSeconds(6));
                Await.until("several failed attempts", () -> receivers.received.stream()
                        .filter(r -> r.status() == 503 && r.body().contains("nd1")).count() >= 3);
                for (int i = 0; i < 6; i++) { // 30 s of the receiver being away, retried with backoff
                    clock.advance(Duration.ofSeconds(5));
                    Thread.sleep(300);
                }
                assertThat(receivers.ok("webhook", "nd1")).isEmpty();
                assertThat(cp.string("SELECT last_error FROM notifications WHERE subject = 'nd1' AND channel = "
                        + "'webhook'")).isEqualTo("webhook: HTTP 503");
            } finally {
                receivers.down(false);
            }
            clock.advance(Duration.ofSeconds(31)); // past the longest backoff
            Await.until("delivered after the receiver returned", () -> receivers.ok("webhook", "nd1").size() == 1
                    && receivers.ok("ntfy", "nd1").size() == 1 && receivers.ok("slack", "nd1").size() == 1);
            Thread.sleep(1000);
            clock.advance(Duration.ofSeconds(31));
            Thread.sleep(1000);
            assertThat(receivers.ok("webhook", "nd1")).hasSize(1);
            assertThat(receivers.ok("slack", "nd1")).hasSize(1);
            assertThat(status("nd1", "approval.pending")).isEqualTo("sent,sent,sent");
        }
    }

    @Test
    void twoControlPlanesOnOneDatabaseSendEachNotificationOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        try (TestControlPlane other = cp.replica(clock); Agent a = agent(cp, "nt-host-4");
             Agent b = agent(other, "nt-host-5")) {
            for (int i = 0; i < 8; i++) {
                ask(a, "nr-a" + i, "echo " + i);
                ask(b, "nr-b" + i, "echo " + i);
                ids.add("nr-a" + i);
                ids.add("nr-b" + i);
            }
            clock.advance(Duration.ofSeconds(6));
            Await.until("all sent", () -> ids.stream().allMatch(id -> receivers.ok("webhook", "pending:" + id + "\"")
                    .size() >= 1));
            Thread.sleep(1500);
            for (String id : ids) {
                assertThat(receivers.ok("webhook", "\"approval.pending:" + id + "\"")).as(id).hasSize(1);
                assertThat(receivers.ok("slack", "/approvals/" + id + "|")).as(id).hasSize(1);
                assertThat(receivers.received.stream().filter(r -> r.path().equals("/ntfy/agents/" + id))).hasSize(1);
            }
        }
    }

    @Test
    void finishedRowsArePrunedAfterAWeekButNothingStillNeeded() throws Exception {
        String[][] rows = {{"pr-done", "approval.pending", "done"}, {"pr-skip", "approval.pending", "skipped"},
                {"pr-sent-pending", "approval.pending", "sent"}, {"pr-sent-wait", "session.waiting", "sent"},
                {"pr-pending", "host.offline", "pending"}, {"pr-failed", "job.finished", "failed"}};
        try (var c = cp.controlPlane().database().dataSource().getConnection(); var st = c.createStatement()) {
            c.setAutoCommit(true);
            for (String[] r : rows) {
                st.executeUpdate("INSERT INTO notifications (id, channel, kind, subject, status, next_at, created_at) "
                        + "VALUES ('" + r[0] + "', 'webhook', '" + r[1] + "', '" + r[0] + "', '" + r[2] + "', "
                        + "now() + interval '1 day', now() - interval '8 days')");
            }
            NotificationRows.prune(c, java.time.Instant.now().minus(Duration.ofDays(7)));
        }
        assertThat(cp.string("SELECT string_agg(id, ',' ORDER BY id) FROM notifications WHERE id LIKE 'pr-%'"))
                .isEqualTo("pr-pending,pr-sent-pending");
    }

    @Test
    void aSessionWaitingTooLongAHostGoneAndAJobFinishedAreAnnounced() throws Exception {
        Agent a = agent(cp, "nt-host-6");
        String sid = "s-nt-host-6";
        a.send("sessions.upsert", "{\"session\":{\"session_id\":\"" + sid + "\",\"kind\":\"pane\",\"provider\":"
                + "\"claude\",\"status\":\"WAITING\",\"needs_attention\":true,\"name\":\"fix-login\",\"tmux\":"
                + "{\"session\":\"main\",\"window\":\"1\",\"pane_id\":\"%1\"},\"cwd\":\"/src/app\"}}");
        a.send("events.append", "{\"session_id\":\"" + sid + "\",\"event_type\":\"status.changed\",\"data\":"
                + "{\"from\":\"RUNNING\",\"to\":\"WAITING\",\"needs_attention\":true}}");
        a.send("events.append", "{\"session_id\":\"job-nt-6\",\"event_type\":\"job.exited\",\"data\":"
                + "{\"exit_code\":0,\"cancelled\":false,\"duration_ms\":1200}}");
        Await.until("job.finished sent", () -> receivers.received.stream()
                .anyMatch(r -> r.body().contains("\"kind\":\"job.finished\"") && r.body().contains("job-nt-6")));
        Thread.sleep(600);
        assertThat(receivers.ok("webhook", "session.waiting").stream().filter(r -> r.body().contains(sid)))
                .as("waiting only after NOTIFY_WAITING_SECONDS").isEmpty();
        clock.advance(Duration.ofSeconds(61));
        Await.until("session.waiting sent", () -> receivers.ok("webhook", "\"kind\":\"session.waiting\"").stream()
                .anyMatch(r -> r.body().contains(sid)));
        JsonNode waiting = receivers.ok("webhook", "\"kind\":\"session.waiting\"").stream()
                .filter(r -> r.body().contains(sid)).findFirst().orElseThrow().json();
        assertThat(waiting.at("/session/host_name").asText()).isEqualTo("nt-host-6");
        assertThat(waiting.get("url").asText()).endsWith("/sessions/" + sid);

        a.close();
        Await.until("host seen offline", () -> cp.count("SELECT count(*) FROM hosts WHERE id = '" + a.hostId()
                + "' AND connected_epoch IS NULL") == 1);
        clock.advance(Duration.ofSeconds(61));
        Await.until("host.offline sent", () -> receivers.ok("webhook", "\"kind\":\"host.offline\"").stream()
                .anyMatch(r -> r.body().contains(a.hostId())));
        Thread.sleep(1500);
        assertThat(receivers.ok("webhook", "\"kind\":\"host.offline\"").stream()
                .filter(r -> r.body().contains(a.hostId()))).as("once per disconnection").hasSize(1);
    }
}
