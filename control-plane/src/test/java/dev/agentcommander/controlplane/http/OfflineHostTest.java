package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sessions say whether their host is connected, on REST and the UI socket; commands say they wait for it. */
class OfflineHostTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private record Host(String id, String token) {
    }

    private static Host host(String name) {
        ObjectNode h = cp.createHost(name);
        return new Host(h.at("/host/id").asText(), h.get("token").asText());
    }

    /** An agent socket of {@code h} that has reported session {@code sid} and had it acked. */
    private static WsClient agentWithSession(Host h, String name, String sid) {
        WsClient a = cp.agent(h.token(), name, 0);
        a.send(Frames.upsert(1, sid, "pane"));
        a.nextOfType("agent.ack");
        return a;
    }

    private static boolean hostConnected(RestClient rest, String sid) {
        return rest.get("/v1/sessions/" + sid, cp.viewer()).body().get("host_connected").asBoolean();
    }

    private static JsonNode hostRow(String hostId) {
        for (JsonNode h : cp.get("/v1/hosts", cp.viewer()).body().get("items")) {
            if (h.get("id").asText().equals(hostId)) {
                return h;
            }
        }
        throw new AssertionError("host " + hostId + " not listed");
    }

    private static JsonNode nextChange(WsClient ui, String sid) {
        return ui.next(n -> n.path("type").asText().equals("sessions.changed")
                && n.at("/session/session_id").asText().equals(sid));
    }

    @Test
    void aDisconnectedHostsSessionsAreMarkedSoInRestAndOnTheUiSocketAndBackWhenItReturns() {
        Host h = host("presence-a");
        try (WsClient ui = cp.ui(cp.viewer())) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"s\",\"topic\":\"sessions\",\"filter\":{\"host_id\":\""
                    + h.id() + "\"}}");
            ui.nextOfType("subscribed");
            WsClient a = agentWithSession(h, "presence-a", "s-pres-a");
            assertThat(nextChange(ui, "s-pres-a").at("/session/host_connected").asBoolean()).isTrue();
            assertThat(hostConnected(cp.rest(), "s-pres-a")).isTrue();
            assertThat(hostRow(h.id()).get("connected").asBoolean()).isTrue();

            a.close();
            JsonNode offline = nextChange(ui, "s-pres-a");
            assertThat(offline.at("/session/host_connected").asBoolean()).isFalse();
            assertThat(offline.at("/session/status").asText()).as("the rest of the row is as last reported")
                    .isEqualTo("RUNNING");
            assertThat(hostConnected(cp.rest(), "s-pres-a")).isFalse();
            assertThat(hostRow(h.id()).get("connected").asBoolean()).isFalse();
            JsonNode listed = cp.get("/v1/sessions?host_id=" + h.id(), cp.viewer()).body().at("/items/0");
            assertThat(listed.get("host_connected").asBoolean()).isFalse();

            try (WsClient back = cp.agent(h.token(), "presence-a", 1)) {
                assertThat(nextChange(ui, "s-pres-a").at("/session/host_connected").asBoolean()).isTrue();
                assertThat(hostConnected(cp.rest(), "s-pres-a")).isTrue();
            }
        }
    }

    @Test
    void aNewSubscriberSeesAnOfflineHostsSessionAsOffline() {
        Host h = host("presence-b");
        agentWithSession(h, "presence-b", "s-pres-b").close();
        Await.until("host offline", () -> !hostConnected(cp.rest(), "s-pres-b"));
        try (WsClient ui = cp.ui(cp.viewer())) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"s\",\"topic\":\"sessions\",\"filter\":{\"host_id\":\""
                    + h.id() + "\"}}");
            assertThat(nextChange(ui, "s-pres-b").at("/session/host_connected").asBoolean()).isFalse();
        }
    }

    @Test
    void aCommandForAnOfflineHostIsQueuedAndSaysSoOrRefusedWhenTheCallerAsksForNoQueueing() {
        Host h = host("presence-c");
        agentWithSession(h, "presence-c", "s-pres-c").close();
        Await.until("host offline", () -> !hostConnected(cp.rest(), "s-pres-c"));
        long before = cp.count("SELECT count(*) FROM commands");

        Reply refused = cp.post("/v1/sessions/s-pres-c/commands?queue=false", cp.operator(), "{\"type\":\"interrupt\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().at("/error/code").asText()).isEqualTo("host_offline");
        Reply hostRefused = cp.post("/v1/hosts/" + h.id() + "/commands?queue=false", cp.operator(),
                "{\"type\":\"adopt_pane\",\"pane_id\":\"%3\"}");
        assertThat(hostRefused.status()).isEqualTo(409);
        assertThat(hostRefused.body().at("/error/code").asText()).isEqualTo("host_offline");
        Reply junk = cp.post("/v1/sessions/s-pres-c/commands?queue=later", cp.operator(), "{\"type\":\"interrupt\"}");
        assertThat(junk.status()).isEqualTo(400);
        assertThat(junk.body().at("/error/message").asText()).startsWith("queue:");
        assertThat(cp.count("SELECT count(*) FROM commands")).as("nothing stored").isEqualTo(before);

        Reply queued = cp.post("/v1/sessions/s-pres-c/commands", cp.operator(), "{\"type\":\"interrupt\"}");
        assertThat(queued.status()).isEqualTo(202);
        assertThat(queued.body().get("status").asText()).isEqualTo("queued");
        assertThat(queued.body().get("host_connected").asBoolean()).isFalse();
        assertThat(queued.body().get("message").asText()).contains("offline").contains("reconnects");
        String commandId = queued.body().get("command_id").asText();

        try (WsClient back = cp.agent(h.token(), "presence-c", 1)) {
            JsonNode delivered = back.nextOfType("command");
            assertThat(delivered.at("/payload/command_id").asText()).as("runs when the host returns")
                    .isEqualTo(commandId);
            Reply online = cp.post("/v1/sessions/s-pres-c/commands?queue=false", cp.operator(),
                    "{\"type\":\"interrupt\"}");
            assertThat(online.status()).isEqualTo(202);
            assertThat(online.body().get("host_connected").asBoolean()).isTrue();
            assertThat(online.body().has("message")).isFalse();
        }
    }

    @Test
    void anOlderSocketClosingDoesNotMarkAHostOfflineThatANewerSocketHolds() {
        Host h = host("presence-d");
        try (WsClient old = agentWithSession(h, "presence-d", "s-pres-d");
             WsClient newer = cp.agent(h.token(), "presence-d", 1)) {
            assertThat(old.awaitClose().reason()).contains("superseded");
            newer.send(Frames.upsert(2, "s-pres-d", "pane"));
            newer.nextOfType("agent.ack");
            assertThat(hostConnected(cp.rest(), "s-pres-d")).isTrue();
        }
        // the same rule without the race between two sockets: a close clears only its own epoch
        Database db = cp.controlPlane().database();
        long first = db.tx(c -> HostRows.handshake(c, h.id(), "t", Instant.now())).epoch();
        long second = db.tx(c -> HostRows.handshake(c, h.id(), "t", Instant.now())).epoch();
        assertThat(db.<Boolean>tx(c -> HostRows.disconnected(c, h.id(), first, 0))).isFalse();
        assertThat(hostConnected(cp.rest(), "s-pres-d")).isTrue();
        assertThat(db.<Boolean>tx(c -> HostRows.disconnected(c, h.id(), second, 0))).isTrue();
        assertThat(hostConnected(cp.rest(), "s-pres-d")).isFalse();
    }

    @Test
    void rotatingTheTokenMarksTheHostOfflineAtOnce() {
        Host h = host("presence-e");
        try (WsClient a = agentWithSession(h, "presence-e", "s-pres-e"); WsClient ui = cp.ui(cp.viewer())) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"s\",\"topic\":\"sessions\",\"filter\":{\"host_id\":\""
                    + h.id() + "\"}}");
            assertThat(nextChange(ui, "s-pres-e").at("/session/host_connected").asBoolean()).isTrue();
            assertThat(cp.post("/v1/hosts/" + h.id() + "/token", cp.admin(), null).status()).isEqualTo(200);
            assertThat(hostConnected(cp.rest(), "s-pres-e")).isFalse();
            assertThat(nextChange(ui, "s-pres-e").at("/session/host_connected").asBoolean()).isFalse();
        }
    }

    @Test
    void aHostConnectedToAnotherReplicaIsConnectedHereToo() {
        Host h = host("presence-f");
        TestControlPlane other = cp.replica();
        try (WsClient a = other.agent(h.token(), "presence-f", 0)) {
            a.send(Frames.upsert(1, "s-pres-f", "pane"));
            a.nextOfType("agent.ack");
            assertThat(hostConnected(cp.rest(), "s-pres-f")).as("on the replica without the socket").isTrue();
            Reply cmd = cp.post("/v1/sessions/s-pres-f/commands?queue=false", cp.operator(), "{\"type\":\"interrupt\"}");
            assertThat(cmd.status()).isEqualTo(202);
        }
        Await.until("offline on both replicas", () -> !hostConnected(cp.rest(), "s-pres-f")
                && !hostConnected(other.rest(), "s-pres-f"));
        other.close();
    }

    @Test
    void aReplicaThatStopsMarksTheHostsItHeldOffline() {
        Host h = host("presence-g");
        TestControlPlane other = cp.replica();
        try (WsClient a = other.agent(h.token(), "presence-g", 0)) {
            a.send(Frames.upsert(1, "s-pres-g", "pane"));
            a.nextOfType("agent.ack");
            assertThat(hostConnected(cp.rest(), "s-pres-g")).isTrue();
            other.close();
            assertThat(a.awaitClose().code()).isEqualTo(1001);
            assertThat(hostConnected(cp.rest(), "s-pres-g")).as("cleared before the replica stopped").isFalse();
        }
    }
}
