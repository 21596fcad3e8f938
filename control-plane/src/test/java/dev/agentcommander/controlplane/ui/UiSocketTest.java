package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.WsClient;
import dev.agentcommander.schema.CloseReason;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UiSocketTest {
    private static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);

    /** A new host's agent socket, after the welcome. */
    private static WsClient agent(String name) {
        return cp.agent(cp.createHost(name).get("token").asText(), name, 0);
    }

    @Test
    void subscriberGetsCurrentRowsFirstThenLiveChanges() {
        try (WsClient a = agent("ui-a")) {
            a.send(Frames.upsert(1, "s-ui-1", "first"));
            a.nextOfType("agent.ack");
            try (WsClient ui = cp.ui(cp.viewer())) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"s1\",\"topic\":\"sessions\",\"filter\":{\"q\":\"feature\"}}");
                assertThat(ui.nextOfType("subscribed").get("sub").asText()).isEqualTo("s1");
                JsonNode current = ui.next(n -> n.path("type").asText().equals("sessions.changed")
                        && n.at("/session/session_id").asText().equals("s-ui-1"));
                assertThat(current.get("sub").asText()).isEqualTo("s1");
                a.send(Frames.upsert(2, "s-ui-2", "second"));
                JsonNode live = ui.next(n -> n.at("/session/session_id").asText().equals("s-ui-2"));
                assertThat(live.get("type").asText()).isEqualTo("sessions.changed");
                assertThat(live.at("/session/name").asText()).isEqualTo("second");
                a.send(Frames.frame("sessions.removed", 3, "{\"session_id\":\"s-ui-2\"}"));
                JsonNode removed = ui.nextOfType("sessions.removed");
                assertThat(removed.get("session_id").asText()).isEqualTo("s-ui-2");
            }
        }
    }

    @Test
    void filtersKeepOtherSessionsOut() {
        try (WsClient a = agent("ui-f"); WsClient ui = cp.ui(cp.viewer())) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"w\",\"topic\":\"sessions\",\"filter\":{\"status\":\"WAITING\"}}");
            ui.nextOfType("subscribed");
            a.send(Frames.upsert(1, "s-running", "running"));
            a.send(Frames.frame("sessions.upsert", 2, "{\"session\":{\"session_id\":\"s-waiting\",\"status\":"
                    + "\"WAITING\",\"needs_attention\":true,\"provider\":\"codex\"}}"));
            JsonNode first = ui.nextOfType("sessions.changed");
            assertThat(first.at("/session/session_id").asText()).isEqualTo("s-waiting");
            assertThat(first.at("/session/needs_attention").asBoolean()).isTrue();
        }
    }

    @Test
    void eventsAndApprovalsArePushedToTheirSubscribers() {
        try (WsClient a = agent("ui-e"); WsClient ui = cp.ui(cp.viewer())) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"e\",\"topic\":\"events\",\"filter\":{\"session_id\":\"s-e\"}}");
            ui.send("{\"type\":\"subscribe\",\"sub\":\"p\",\"topic\":\"approvals\",\"filter\":{\"status\":\"pending\"}}");
            ui.next(n -> n.path("sub").asText().equals("p") && n.path("type").asText().equals("subscribed"));
            a.send(Frames.event(1, "s-e", "hook.Stop"));
            JsonNode ev = ui.nextOfType("events.appended");
            assertThat(ev.get("sub").asText()).isEqualTo("e");
            assertThat(ev.at("/event/type").asText()).isEqualTo("hook.Stop");
            a.send(Frames.frame("approval.requested", 2, "{\"approval_id\":\"ui-ap\",\"session_id\":\"s-e\","
                    + "\"tool_name\":\"Edit\",\"tool_input\":{}}"));
            JsonNode ap = ui.next(n -> n.path("type").asText().equals("approvals.changed")
                    && n.at("/approval/id").asText().equals("ui-ap"));
            assertThat(ap.at("/approval/status").asText()).isEqualTo("pending");
        }
    }

    @Test
    void badFramesGetAnErrorAndTheSocketSurvives() {
        try (WsClient ui = cp.ui(cp.viewer())) {
            ui.send("not json");
            assertThat(ui.nextOfType("error").at("/error/code").asText()).isEqualTo("malformed");
            ui.send("{\"type\":\"subscribe\",\"sub\":\"x\",\"topic\":\"weather\"}");
            assertThat(ui.nextOfType("error").at("/error/code").asText()).isEqualTo("invalid");
            ui.send("{\"type\":\"subscribe\",\"sub\":\"x\",\"topic\":\"events\",\"filter\":{}}");
            assertThat(ui.nextOfType("error").get("sub").asText()).isEqualTo("x");
            ui.send("{\"type\":\"ping\"}");
            assertThat(ui.nextOfType("pong")).isNotNull();
        }
    }

    @Test
    void missingOrInvalidTokenIsClosedWithAReason() {
        try (WsClient ui = WsClient.connect(cp.ws("/v1/ui"), null)) {
            WsClient.Close c = ui.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).startsWith("unauthorized");
            assertThat(CloseReason.parse(c.code(), c.reason()).kind()).isEqualTo(CloseReason.Kind.UNAUTHORIZED);
        }
        String expired = cp.controlPlane().tokens().issue("x", Role.ADMIN, Duration.ofSeconds(-1));
        try (WsClient ui = cp.ui(expired)) {
            WsClient.Close c = ui.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("unauthorized: invalid or expired token");
        }
    }

    @Test
    void consoleWatcherMakesTheReplicaSubscribeAndGetsSnapshotThenChunks() {
        String data = Base64.getEncoder().encodeToString("hello\r\n".getBytes());
        try (WsClient a = agent("ui-c")) {
            a.send(Frames.upsert(1, "s-con", "console"));
            a.nextOfType("agent.ack");
            try (WsClient ui = cp.ui(cp.viewer())) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"c\",\"topic\":\"console\",\"filter\":{\"session_id\":\"s-con\"}}");
                JsonNode cmd = a.nextOfType("command");
                assertThat(cmd.at("/payload/name").asText()).isEqualTo("console.subscribe");
                String subId = cmd.at("/payload/args/subscription_id").asText();
                assertThat(subId).isNotBlank();
                a.send(Frames.frame("snapshot", 2, "{\"session_id\":\"s-con\",\"subscription_id\":\"" + subId
                        + "\",\"cols\":80,\"rows\":24,\"cursor_x\":1,\"cursor_y\":2,\"data\":\"" + data + "\"}"));
                a.send(Frames.frame("console.chunk", 3, "{\"session_id\":\"s-con\",\"subscription_id\":\"" + subId
                        + "\",\"offset\":0,\"data\":\"" + data + "\"}"));
                JsonNode snap = ui.nextOfType("console.snapshot");
                assertThat(snap.get("cols").asInt()).isEqualTo(80);
                assertThat(snap.at("/cursor/y").asInt()).isEqualTo(2);
                assertThat(ui.nextOfType("console.chunk").get("data").asText()).isEqualTo(data);
                try (WsClient late = cp.ui(cp.viewer())) {
                    late.send("{\"type\":\"subscribe\",\"sub\":\"l\",\"topic\":\"console\",\"filter\":{\"session_id\":\"s-con\"}}");
                    assertThat(late.nextOfType("console.snapshot").get("data").asText()).isEqualTo(data);
                    assertThat(late.nextOfType("console.chunk").get("offset").asLong()).isZero();
                }
                ui.send("{\"type\":\"unsubscribe\",\"sub\":\"c\"}");
                ui.send("{\"type\":\"ping\"}");
                ui.nextOfType("pong"); // the unsubscribe is done: the stream lingers from now
                clock.advance(ConsoleHub.LINGER);
                JsonNode stop = a.next(n -> n.at("/payload/name").asText().equals("console.unsubscribe"));
                assertThat(stop.at("/payload/args/subscription_id").asText()).isEqualTo(subId);
            }
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE type IN ('snapshot','console.chunk')")).isZero();
    }

    @Test
    void sessionThatStopsMatchingTheFilterIsRemovedFromThatView() {
        try (WsClient a = agent("ui-l"); WsClient ui = cp.ui(cp.viewer())) {
            a.send(Frames.upsert(1, "s-leaves", "leaving"));
            a.nextOfType("agent.ack");
            ui.send("{\"type\":\"subscribe\",\"sub\":\"r\",\"topic\":\"sessions\",\"filter\":{\"status\":\"RUNNING\"}}");
            ui.next(n -> n.at("/session/session_id").asText().equals("s-leaves"));
            a.send(Frames.frame("sessions.upsert", 2, "{\"session\":{\"session_id\":\"s-leaves\",\"status\":"
                    + "\"IDLE\",\"provider\":\"claude\"}}"));
            JsonNode gone = ui.next(n -> n.path("session_id").asText().equals("s-leaves"));
            assertThat(gone.get("type").asText()).isEqualTo("sessions.removed");
            assertThat(gone.get("sub").asText()).isEqualTo("r");
        }
    }

    @Test
    void deletingAHostClosesItsSocketAndRemovesItsSessionsEverywhere() {
        ObjectNode h = cp.createHost("ui-del");
        String hostId = h.at("/host/id").asText();
        try (WsClient a = cp.agent(h.get("token").asText(), "ui-del", 0); WsClient ui = cp.ui(cp.viewer())) {
            a.send(Frames.upsert(1, "s-del", "doomed"));
            a.nextOfType("agent.ack");
            ui.send("{\"type\":\"subscribe\",\"sub\":\"d\",\"topic\":\"sessions\",\"filter\":{\"host_id\":\""
                    + hostId + "\"}}");
            ui.next(n -> n.at("/session/session_id").asText().equals("s-del"));
            assertThat(cp.delete("/v1/hosts/" + hostId, cp.admin()).status()).isEqualTo(204);
            assertThat(ui.nextOfType("sessions.removed").get("session_id").asText()).isEqualTo("s-del");
            assertThat(a.awaitClose().reason()).contains("host deleted");
        }
        assertThat(cp.get("/v1/sessions/s-del", cp.viewer()).status()).isEqualTo(404);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'host.delete' AND target = '"
                + hostId + "'")).isEqualTo(1);
    }
}
