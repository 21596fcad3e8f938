package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import dev.agentcommander.schema.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may feed a session's console, and what viewers cost the host: only the session's own host, on the stream
 * this replica asked it for, from a connection that still holds the host's epoch; and a console is started once
 * and stopped once however often viewers come and go.
 */
class ConsoleStreamsTest {
    private static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);

    private static String subscribe(String sub, String sessionId) {
        return "{\"type\":\"subscribe\",\"sub\":\"" + sub + "\",\"topic\":\"console\",\"filter\":{\"session_id\":\""
                + sessionId + "\"}}";
    }

    private static boolean isConsole(JsonNode n) {
        return n.path("type").asText().startsWith("console.");
    }

    private static List<String> consoleData(List<JsonNode> frames) {
        List<String> out = new ArrayList<>();
        frames.stream().filter(ConsoleStreamsTest::isConsole).forEach(n -> out.add(n.get("type").asText() + " "
                + n.get("data").asText()));
        return out;
    }

    private static long commands(String name, String sessionId) {
        return cp.count("SELECT count(*) FROM commands WHERE name = '" + name + "' AND session_id = '" + sessionId
                + "'");
    }

    @Test
    void anotherHostsConsoleFramesForASessionNeverReachItsViewersOrItsTail() {
        ObjectNode owner = cp.createHost("con-owner");
        ObjectNode intruder = cp.createHost("con-intruder");
        try (WsClient a = cp.agent(owner.get("token").asText(), "con-owner", 0);
             WsClient b = cp.agent(intruder.get("token").asText(), "con-intruder", 0);
             WsClient ui = cp.ui(cp.viewer())) {
            a.send(Frames.upsert(1, "s-victim", "victim"));
            a.nextOfType("agent.ack");
            ui.send(subscribe("c", "s-victim"));
            String subId = a.nextOfType("command").at("/payload/args/subscription_id").asText();
            a.send(Frames.snapshot(2, "s-victim", subId, "A-screen"));
            // the attack: host B names A's session, with the real subscription id (as if it had learnt it)
            b.send(Frames.snapshot(1, "s-victim", subId, "\u001b[2JB-forged"));
            b.send(Frames.chunk(2, "s-victim", subId, 0, "B-forged"));
            b.next(n -> n.at("/payload/seq").asLong() == 2); // relayed, if at all, before this ack
            b.send(Frames.chunk(3, "s-victim", null, 0, "B-forged")); // and without one
            assertThat(b.nextOfType("error").at("/payload/message").asText()).contains("subscription_id");
            a.send(Frames.chunk(3, "s-victim", "cs_not_this_stream", 0, "A-stale"));
            a.send(Frames.chunk(4, "s-victim", subId, 0, "A-marker"));
            List<JsonNode> seen = ui.until(n -> isConsole(n) && n.get("data").asText().equals(
                    Frames.base64("A-marker")));
            assertThat(consoleData(seen)).containsExactly("console.snapshot " + Frames.base64("A-screen"),
                    "console.chunk " + Frames.base64("A-marker"));
            try (WsClient late = cp.ui(cp.viewer())) {
                late.send(subscribe("l", "s-victim"));
                assertThat(consoleData(late.throughPong())).as("the late joiner's tail")
                        .containsExactly("console.snapshot " + Frames.base64("A-screen"),
                                "console.chunk " + Frames.base64("A-marker"));
            }
        }
    }

    @Test
    void consoleCyclesCostOneSubscribeAndTheStreamStopsOnceAfterTheLinger() {
        ObjectNode h = cp.createHost("con-cycle");
        try (WsClient a = cp.agent(h.get("token").asText(), "con-cycle", 0);
             WsClient ui = cp.ui(cp.token("cycler", Role.VIEWER))) {
            a.send(Frames.upsert(1, "s-cycle", "cycled"));
            a.nextOfType("agent.ack");
            for (int i = 0; i < 50; i++) {
                ui.send(subscribe("c", "s-cycle"));
                ui.send("{\"type\":\"unsubscribe\",\"sub\":\"c\"}");
            }
            List<JsonNode> replies = ui.throughPong();
            assertThat(replies).filteredOn(n -> n.path("type").asText().equals("subscribed")).hasSize(50);
            // commands are stored off the viewer's socket, in order: the subscribe is there once it reaches the host
            Await.until("the subscribe is stored", () -> commands("console.subscribe", "s-cycle") >= 1);
            assertThat(commands("console.unsubscribe", "s-cycle")).as("lingering, not stopped").isZero();
            a.send(Frames.snapshot(2, "s-cycle", a.nextOfType("command").at("/payload/args/subscription_id")
                    .asText(), "kept"));
            a.nextOfType("agent.ack");
            ui.send(subscribe("back", "s-cycle"));
            assertThat(ui.nextOfType("console.snapshot").get("data").asText()).as("a lingering stream's tail")
                    .isEqualTo(Frames.base64("kept"));
            ui.send("{\"type\":\"unsubscribe\",\"sub\":\"back\"}");
            ui.throughPong();
            assertThat(commands("console.subscribe", "s-cycle")).isEqualTo(1);
            clock.advance(ConsoleHub.LINGER);
            Await.until("the stream stops after the linger", () -> commands("console.unsubscribe", "s-cycle") == 1);
            assertThat(a.nextOfType("command").at("/payload/name").asText()).isEqualTo("console.unsubscribe");
            // stored in the order asked for, so with the unsubscribe stored every subscribe before it is too
            assertThat(commands("console.subscribe", "s-cycle")).as("51 joins, one subscribe").isEqualTo(1);
            assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'command.create' AND "
                    + "detail->>'session_id' = 's-cycle' AND detail->>'name' = 'console.subscribe'")).isEqualTo(1);
        }
    }

    @Test
    void aConnectionSupersededOnAnotherReplicaRelaysNoMoreConsoleFrames() {
        ObjectNode h = cp.createHost("con-moved");
        String token = h.get("token").asText();
        TestClock replicaClock = new TestClock();
        try (TestControlPlane replica = cp.replica(replicaClock);
             WsClient old = replica.agent(token, "con-moved", 0);
             WsClient ui = replica.ui(replica.viewer())) {
            old.send(Frames.upsert(1, "s-moved", "moved"));
            old.nextOfType("agent.ack");
            ui.send(subscribe("c", "s-moved"));
            String subId = old.nextOfType("command").at("/payload/args/subscription_id").asText();
            old.send(Frames.chunk(2, "s-moved", subId, 0, "before"));
            assertThat(ui.nextOfType("console.chunk").get("data").asText()).isEqualTo(Frames.base64("before"));
            // the host reconnects through the other replica; this one hears of it only through Postgres
            try (WsClient moved = cp.agent(token, "con-moved", 0)) {
                replicaClock.advance(Duration.ofSeconds(2));
                old.send(Frames.chunk(3, "s-moved", subId, 6, "after"));
                WsClient.Close c = old.awaitClose();
                assertThat(CloseReason.parse(c.code(), c.reason()).kind()).isEqualTo(CloseReason.Kind.SUPERSEDED);
                assertThat(consoleData(ui.throughPong())).isEmpty();
                assertThat(moved.closed).isNotDone();
            }
        }
    }
}
