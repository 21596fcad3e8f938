package dev.agentcommander.controlplane.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two control-plane replicas on one Postgres (the extension's, reached by DATABASE_URL, so both run the
 * LISTEN/NOTIFY fan-out): what one replica takes in reaches dashboards and hosts held by the other, with nothing
 * handed over in memory.
 */
class ReplicasTest {
    @RegisterExtension
    static final ControlPlaneExtension a = new ControlPlaneExtension();

    private static TestControlPlane b;

    private static synchronized TestControlPlane b() {
        if (b == null) {
            b = a.replica();
        }
        return b;
    }

    private static WsClient subscribe(TestControlPlane cp, String topic, String filter) {
        WsClient ui = cp.ui(cp.viewer());
        ui.send("{\"type\":\"subscribe\",\"sub\":\"x\",\"topic\":\"" + topic + "\",\"filter\":" + filter + "}");
        ui.nextOfType("subscribed");
        return ui;
    }

    @Test
    void bothReplicasListenWhenDatabaseUrlIsSet() {
        assertThat(a.controlPlane().signals()).isNotNull();
        assertThat(a.controlPlane().signals().listener().listening()).isTrue();
        assertThat(b().controlPlane().signals().listener().listening()).isTrue();
        assertThat(a.controlPlane().signals().origin()).isNotEqualTo(b().controlPlane().signals().origin());
    }

    @Test
    void aSessionChangeIngestedOnReplicaBReachesAUiSubscriberOnReplicaA() {
        ObjectNode h = a.createHost("rep-ingest");
        try (WsClient ui = subscribe(a, "sessions", "{}");
             WsClient events = subscribe(a, "events", "{\"session_id\":\"s-rep-b\"}");
             WsClient agent = b().agent(h.get("token").asText(), "rep-ingest", 0)) {
            agent.send(Frames.upsert(1, "s-rep-b", "ingested on b"));
            agent.send(Frames.event(2, "s-rep-b", "hook.Stop"));
            JsonNode changed = ui.next(n -> n.path("type").asText().equals("sessions.changed")
                    && n.at("/session/session_id").asText().equals("s-rep-b"));
            assertThat(changed.at("/session/name").asText()).isEqualTo("ingested on b");
            assertThat(changed.at("/session/host_id").asText()).isEqualTo(h.at("/host/id").asText());
            JsonNode ev = events.nextOfType("events.appended");
            assertThat(ev.at("/event/type").asText()).isEqualTo("hook.Stop");
            assertThat(ev.at("/event/seq").asLong()).isEqualTo(2);

            agent.send(Frames.frame("sessions.removed", 3, "{\"session_id\":\"s-rep-b\"}"));
            JsonNode removed = ui.nextOfType("sessions.removed");
            assertThat(removed.get("session_id").asText()).isEqualTo("s-rep-b");
        }
    }

    @Test
    void aCommandPostedOnAIsRunByTheHostOnBAndItsResultIsVisibleOnA() {
        ObjectNode h = a.createHost("rep-cmd");
        try (WsClient agent = b().agent(h.get("token").asText(), "rep-cmd", 0)) {
            agent.send(Frames.upsert(1, "s-rep-cmd", "work"));
            agent.nextOfType("agent.ack");
            Reply r = a.post("/v1/sessions/s-rep-cmd/commands", a.operator(),
                    "{\"type\":\"send_input\",\"text\":\"make test\",\"submit\":true}");
            assertThat(r.status()).isEqualTo(202);
            String id = r.body().get("command_id").asText();
            JsonNode cmd = agent.nextOfType("command");
            assertThat(cmd.at("/payload/command_id").asText()).isEqualTo(id);
            assertThat(cmd.at("/payload/args/text").asText()).isEqualTo("make test");
            agent.send(Frames.frame("commands.result", 2, "{\"command_id\":\"" + id + "\",\"ok\":true}"));
            agent.nextOfType("agent.ack");
            Await.until("command completed as seen on A", () ->
                    a.get("/v1/commands/" + id, a.viewer()).body().path("status").asText().equals("completed"));
            assertThat(a.get("/v1/commands/" + id, a.viewer()).body().get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void anApprovalDecidedOnAReachesTheHookHeldByBAndOfTwoConcurrentDecisionsExactlyOneWins() throws Exception {
        ObjectNode h = a.createHost("rep-ap");
        try (WsClient agent = b().agent(h.get("token").asText(), "rep-ap", 0)) {
            agent.send(Frames.upsert(1, "s-rep-ap", "work"));
            agent.send(Frames.frame("approval.requested", 2, "{\"approval_id\":\"rep-ap-1\",\"session_id\":"
                    + "\"s-rep-ap\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"rm -rf build\"}}"));
            agent.next(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == 2);
            for (int round = 0; round < 5; round++) {
                String id = "rep-ap-race-" + round;
                agent.send(Frames.frame("approval.requested", 3 + round, "{\"approval_id\":\"" + id
                        + "\",\"session_id\":\"s-rep-ap\",\"tool_name\":\"Bash\",\"tool_input\":{}}"));
                agent.next(n -> n.path("type").asText().equals("agent.ack"));
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<Reply>> replies = new ArrayList<>();
                for (TestControlPlane cp : List.of(a, b())) {
                    String behavior = cp == a ? "allow" : "deny";
                    replies.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return cp.post("/v1/approvals/" + id + "/decision", cp.operator(),
                                "{\"behavior\":\"" + behavior + "\"}");
                    }));
                }
                go.countDown();
                List<Integer> statuses = replies.stream().map(f -> f.join().status()).sorted().toList();
                assertThat(statuses).as("round " + round).containsExactly(200, 409);
                String winner = replies.get(0).join().status() == 200 ? "allow" : "deny";
                JsonNode d = agent.next(n -> n.path("type").asText().equals("approval.decision")
                        && n.at("/payload/approval_id").asText().equals(id));
                assertThat(d.at("/payload/behavior").asText()).isEqualTo(winner);
                assertThat(a.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decide' AND target = '"
                        + id + "'")).isEqualTo(1);
            }
            Reply r = a.post("/v1/approvals/rep-ap-1/decision", a.operator(), "{\"behavior\":\"allow\"}");
            assertThat(r.status()).isEqualTo(200);
            JsonNode d = agent.next(n -> n.path("type").asText().equals("approval.decision")
                    && n.at("/payload/approval_id").asText().equals("rep-ap-1"));
            assertThat(d.at("/payload/behavior").asText()).isEqualTo("allow");
        }
    }

    @Test
    void keysTypedIntoADashboardOnAReachThePaneHeldByBInOrderAndOnce() {
        ObjectNode h = a.createHost("rep-keys");
        try (WsClient agent = b().agent(h.get("token").asText(), "rep-keys", 0)) {
            agent.send(Frames.upsert(1, "s-rep-keys", "typing"));
            agent.nextOfType("agent.ack");
            try (WsClient ui = a.ui(a.operator())) {
                String[] typed = {"l", "s", " -la\r", "\u0003"};
                for (String t : typed) {
                    ui.send("{\"type\":\"input\",\"session_id\":\"s-rep-keys\",\"data\":\""
                            + Frames.base64(t) + "\"}");
                }
                List<JsonNode> got = new ArrayList<>();
                for (int i = 0; i < typed.length; i++) {
                    got.add(agent.nextOfType("command").get("payload"));
                }
                assertThat(got).extracting(n -> n.at("/name").asText() + " " + (n.at("/args/keys").isMissingNode()
                                ? n.at("/args/text").asText() : n.at("/args/keys").toString()))
                        .containsExactly("send_keys [\"l\"]", "send_keys [\"s\"]", "send_input  -la",
                                "send_keys [\"C-c\"]");
                assertThat(got).extracting(n -> n.get("command_id").asText()).doesNotHaveDuplicates();
                assertThat(a.count("SELECT count(*) FROM commands WHERE session_id = 's-rep-keys'")).isEqualTo(4);
            }
        }
    }

    @Test
    void aDashboardOnAWatchesTheConsoleOfAHostOnBAndTheStreamStopsAfterItLeaves() {
        ObjectNode h = a.createHost("rep-con");
        try (WsClient agent = b().agent(h.get("token").asText(), "rep-con", 0);
             WsClient ui = a.ui(a.viewer())) {
            agent.send(Frames.upsert(1, "s-rep-con", "console"));
            agent.nextOfType("agent.ack");
            ui.send("{\"type\":\"subscribe\",\"sub\":\"c\",\"topic\":\"console\",\"filter\":"
                    + "{\"session_id\":\"s-rep-con\"}}");
            JsonNode sub = agent.nextOfType("command");
            assertThat(sub.at("/payload/name").asText()).isEqualTo("console.subscribe");
            String subId = sub.at("/payload/args/subscription_id").asText();
            // a screen larger than one NOTIFY payload, then live output in order
            String screen = "\u00e9cran ".repeat(3000) + "\ud83d\ude00 end";
            agent.send(Frames.snapshot(2, "s-rep-con", subId, screen));
            for (int i = 0; i < 20; i++) {
                agent.send(Frames.chunk(3 + i, "s-rep-con", subId, i, "" + (char) ('a' + i)));
            }
            agent.send(Frames.chunk(23, "s-rep-con", "cs_nobody_asked", 0, "stray"));
            JsonNode snap = ui.next(n -> n.path("type").asText().equals("console.snapshot"));
            assertThat(new String(java.util.Base64.getDecoder().decode(snap.get("data").asText()),
                    java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(screen);
            StringBuilder live = new StringBuilder(); // chunks waiting behind each other may come as one
            while (live.length() < 20) {
                JsonNode c = ui.next(n -> n.path("type").asText().equals("console.chunk"));
                assertThat(c.get("offset").asLong()).as("each chunk continues the one before").isEqualTo(live.length());
                live.append(new String(java.util.Base64.getDecoder().decode(c.get("data").asText()),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            assertThat(live.toString()).isEqualTo("abcdefghijklmnopqrst");
            ui.send("{\"type\":\"unsubscribe\",\"sub\":\"c\"}");
            JsonNode stop = agent.next("console.unsubscribe after the linger", java.time.Duration.ofSeconds(30),
                    n -> n.path("type").asText().equals("command")
                            && n.at("/payload/name").asText().equals("console.unsubscribe"));
            assertThat(stop.at("/payload/args/subscription_id").asText()).isEqualTo(subId);
            ui.send("{\"type\":\"ping\"}");
            assertThat(ui.until(n -> n.path("type").asText().equals("pong")))
                    .noneMatch(n -> n.path("data").asText().equals(Frames.base64("stray")));
        }
    }

    @Test
    void aHostThatConnectsToAnotherReplicaClosesItsOlderSocketThereWithoutWaitingForItsNextFrame() {
        ObjectNode h = a.createHost("rep-move");
        String token = h.get("token").asText();
        try (WsClient old = b().agent(token, "rep-move", 0)) {
            old.send(Frames.upsert(1, "s-rep-move", "before"));
            old.nextOfType("agent.ack");
            try (WsClient moved = a.agent(token, "rep-move", 1)) {
                WsClient.Close c = old.awaitClose();
                assertThat(c.code()).isEqualTo(1008);
                assertThat(c.reason()).contains("superseded");
                moved.send(Frames.upsert(2, "s-rep-move", "after"));
                assertThat(moved.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(2);
            }
        }
        assertThat(a.get("/v1/sessions/s-rep-move", a.viewer()).body().get("name").asText()).isEqualTo("after");
    }
}
