package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CommandDeliveryTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static String status(String commandId) {
        return cp.get("/v1/commands/" + commandId, cp.viewer()).body().get("status").asText();
    }

    private static void awaitStatus(String commandId, String expected) {
        Await.until("command " + commandId + " " + expected, () -> status(commandId).equals(expected));
    }

    @Test
    void commandQueuedWhileAgentIsAwayIsDeliveredOnConnectAndItsResultStored() {
        ObjectNode h = cp.createHost("cmd-a");
        String token = h.get("token").asText();
        try (WsClient a = cp.agent(token, "cmd-a", 0)) {
            a.send(Frames.upsert(1, "s-cmd", "work"));
            a.nextOfType("agent.ack");
        }
        Reply r = cp.post("/v1/sessions/s-cmd/commands", cp.operator(),
                "{\"type\":\"send_input\",\"text\":\"echo 'hi' $(x); ls\",\"submit\":true}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.body().get("command_id").asText();
        assertThat(r.body().get("status").asText()).isEqualTo("queued");
        assertThat(status(id)).isEqualTo("queued");

        try (WsClient a = cp.agent(token, "cmd-a", 1)) {
            JsonNode cmd = a.nextOfType("command");
            assertThat(cmd.at("/payload/command_id").asText()).isEqualTo(id);
            assertThat(cmd.at("/payload/name").asText()).isEqualTo("send_input");
            assertThat(cmd.at("/payload/args/text").asText()).isEqualTo("echo 'hi' $(x); ls");
            assertThat(cmd.at("/payload/args/session_id").asText()).isEqualTo("s-cmd");
            awaitStatus(id, "sent");
            a.send(Frames.frame("commands.result", 2, "{\"command_id\":\"" + id + "\",\"ok\":true}"));
            a.nextOfType("agent.ack");
        }
        JsonNode done = cp.get("/v1/commands/" + id, cp.viewer()).body();
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("ok").asBoolean()).isTrue();
        assertThat(done.get("created_by").asText()).isEqualTo("olga");
        JsonNode events = cp.get("/v1/sessions/s-cmd/events", cp.viewer()).body().get("items");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("command.completed");
            assertThat(e.at("/payload/command_id").asText()).isEqualTo(id);
            assertThat(e.at("/payload/name").asText()).isEqualTo("send_input");
        });
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'command.create' AND target = '"
                + id + "' AND actor = 'olga'")).isEqualTo(1);
    }

    @Test
    void commandForAConnectedHostIsSentAtOnce() {
        ObjectNode h = cp.createHost("cmd-live");
        String hostId = h.at("/host/id").asText();
        try (WsClient a = cp.agent(h.get("token").asText(), "cmd-live", 0)) {
            Reply r = cp.post("/v1/hosts/" + hostId + "/commands", cp.operator(),
                    "{\"type\":\"adopt_pane\",\"pane_id\":\"%7\"}");
            assertThat(r.status()).isEqualTo(202);
            JsonNode cmd = a.nextOfType("command");
            assertThat(cmd.at("/payload/command_id").asText()).isEqualTo(r.body().get("command_id").asText());
            assertThat(cmd.at("/payload/args/pane_id").asText()).isEqualTo("%7");
        }
    }

    @Test
    void sentButUnfinishedCommandIsResentAfterReconnectAndFailureIsRecorded() {
        ObjectNode h = cp.createHost("cmd-r");
        String hostId = h.at("/host/id").asText();
        String token = h.get("token").asText();
        String id;
        try (WsClient a = cp.agent(token, "cmd-r", 0)) {
            id = cp.post("/v1/hosts/" + hostId + "/commands", cp.operator(),
                    "{\"type\":\"adopt_pane\",\"pane_id\":\"%8\"}").body().get("command_id").asText();
            a.nextOfType("command");
            awaitStatus(id, "sent");
        }
        try (WsClient a = cp.agent(token, "cmd-r", 0)) {
            assertThat(a.nextOfType("command").at("/payload/command_id").asText()).isEqualTo(id);
            a.send(Frames.frame("commands.result", 1, "{\"command_id\":\"" + id
                    + "\",\"ok\":false,\"error\":\"no such pane\"}"));
            a.nextOfType("agent.ack");
        }
        JsonNode done = cp.get("/v1/commands/" + id, cp.viewer()).body();
        assertThat(done.get("status").asText()).isEqualTo("failed");
        assertThat(done.get("error").asText()).isEqualTo("no such pane");
        try (WsClient a = cp.agent(token, "cmd-r", 1)) {
            a.send(Frames.event(2, "s", "ping"));
            JsonNode next = a.next(n -> n.path("type").asText().equals("command")
                    || n.path("type").asText().equals("agent.ack"));
            assertThat(next.path("type").asText()).as("completed commands are not resent").isEqualTo("agent.ack");
        }
    }
}
