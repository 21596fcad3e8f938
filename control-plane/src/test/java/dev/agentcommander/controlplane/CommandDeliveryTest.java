package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandDeliveryTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient connect(String token, String name, long lastAcked) {
        WsClient a = WsClient.connect(server.ws("/v1/agent"), token);
        a.send(Frames.hello(name, lastAcked));
        a.nextOfType("agent.welcome");
        return a;
    }

    private static String status(String commandId) {
        return server.get("/v1/commands/" + commandId, server.viewer).body().get("status").asText();
    }

    private static void awaitStatus(String commandId, String expected) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!status(commandId).equals(expected)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("command " + commandId + " stayed " + status(commandId));
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void commandQueuedWhileAgentIsAwayIsDeliveredOnConnectAndItsResultStored() {
        ObjectNode h = server.createHost("cmd-a");
        String token = h.get("token").asText();
        try (WsClient a = connect(token, "cmd-a", 0)) {
            a.send(Frames.upsert(1, "s-cmd", "work"));
            a.nextOfType("agent.ack");
        }
        TestServer.Reply r = server.post("/v1/sessions/s-cmd/commands", server.operator,
                "{\"type\":\"send_input\",\"text\":\"echo 'hi' $(x); ls\",\"submit\":true}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.body().get("command_id").asText();
        assertThat(r.body().get("status").asText()).isEqualTo("queued");
        assertThat(status(id)).isEqualTo("queued");

        try (WsClient a = connect(token, "cmd-a", 1)) {
            JsonNode cmd = a.nextOfType("command");
            assertThat(cmd.at("/payload/command_id").asText()).isEqualTo(id);
            assertThat(cmd.at("/payload/name").asText()).isEqualTo("send_input");
            assertThat(cmd.at("/payload/args/text").asText()).isEqualTo("echo 'hi' $(x); ls");
            assertThat(cmd.at("/payload/args/session_id").asText()).isEqualTo("s-cmd");
            awaitStatus(id, "sent");
            a.send(Frames.frame("commands.result", 2, "{\"command_id\":\"" + id + "\",\"ok\":true}"));
            a.nextOfType("agent.ack");
        }
        JsonNode done = server.get("/v1/commands/" + id, server.viewer).body();
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("ok").asBoolean()).isTrue();
        assertThat(done.get("created_by").asText()).isEqualTo("olga");
        JsonNode events = server.get("/v1/sessions/s-cmd/events", server.viewer).body().get("items");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("command.completed");
            assertThat(e.at("/payload/command_id").asText()).isEqualTo(id);
            assertThat(e.at("/payload/name").asText()).isEqualTo("send_input");
        });
        assertThat(server.count("SELECT count(*) FROM audit_log WHERE action = 'command.create' AND target = '"
                + id + "' AND actor = 'olga'")).isEqualTo(1);
    }

    @Test
    void commandForAConnectedHostIsSentAtOnce() {
        ObjectNode h = server.createHost("cmd-live");
        String hostId = h.at("/host/id").asText();
        try (WsClient a = connect(h.get("token").asText(), "cmd-live", 0)) {
            TestServer.Reply r = server.post("/v1/hosts/" + hostId + "/commands", server.operator,
                    "{\"type\":\"adopt_pane\",\"pane_id\":\"%7\"}");
            assertThat(r.status()).isEqualTo(202);
            JsonNode cmd = a.nextOfType("command");
            assertThat(cmd.at("/payload/command_id").asText()).isEqualTo(r.body().get("command_id").asText());
            assertThat(cmd.at("/payload/args/pane_id").asText()).isEqualTo("%7");
        }
    }

    @Test
    void sentButUnfinishedCommandIsResentAfterReconnectAndFailureIsRecorded() {
        ObjectNode h = server.createHost("cmd-r");
        String hostId = h.at("/host/id").asText();
        String token = h.get("token").asText();
        String id;
        try (WsClient a = connect(token, "cmd-r", 0)) {
            id = server.post("/v1/hosts/" + hostId + "/commands", server.operator,
                    "{\"type\":\"adopt_pane\",\"pane_id\":\"%8\"}").body().get("command_id").asText();
            a.nextOfType("command");
            awaitStatus(id, "sent");
        }
        try (WsClient a = connect(token, "cmd-r", 0)) {
            assertThat(a.nextOfType("command").at("/payload/command_id").asText()).isEqualTo(id);
            a.send(Frames.frame("commands.result", 1, "{\"command_id\":\"" + id
                    + "\",\"ok\":false,\"error\":\"no such pane\"}"));
            a.nextOfType("agent.ack");
        }
        JsonNode done = server.get("/v1/commands/" + id, server.viewer).body();
        assertThat(done.get("status").asText()).isEqualTo("failed");
        assertThat(done.get("error").asText()).isEqualTo("no such pane");
        try (WsClient a = connect(token, "cmd-r", 1)) {
            a.send(Frames.event(2, "s", "ping"));
            JsonNode next = a.next(n -> n.path("type").asText().equals("command")
                    || n.path("type").asText().equals("agent.ack"));
            assertThat(next.path("type").asText()).as("completed commands are not resent").isEqualTo("agent.ack");
        }
    }
}
