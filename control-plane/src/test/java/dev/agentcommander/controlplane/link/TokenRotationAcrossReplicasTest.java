package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A host token rotated through one replica while the host's socket is held by another: that replica never hears
 * of the rotation in memory, so the epoch bumped with the token is what stops the old socket there.
 */
class TokenRotationAcrossReplicasTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static String rotate(String hostId) {
        Reply r = cp.post("/v1/hosts/" + hostId + "/token", cp.admin(), null);
        assertThat(r.status()).isEqualTo(200);
        return r.body().get("token").asText();
    }

    @Test
    void aSocketOnAnotherReplicaIsRefusedAtItsNextBatchAfterRotationAndNothingMoreIsStored() {
        ObjectNode h = cp.createHost("rot-ingest");
        String id = h.at("/host/id").asText();
        try (TestControlPlane other = cp.replica();
             WsClient old = other.agent(h.get("token").asText(), "rot-ingest", 0)) {
            old.send(Frames.upsert(1, "s-rot-before", "before"));
            assertThat(old.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
            long epoch = cp.count("SELECT connection_epoch FROM hosts WHERE id = '" + id + "'");
            rotate(id);
            assertThat(cp.count("SELECT connection_epoch FROM hosts WHERE id = '" + id + "'")).isEqualTo(epoch + 1);
            old.send(Frames.upsert(2, "s-rot-after", "after"));
            WsClient.Close c = old.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).contains("superseded");
            assertThat(old.received).noneMatch(n -> n.path("type").asText().equals("agent.ack"));
        }
        assertThat(cp.count("SELECT count(*) FROM sessions WHERE id = 's-rot-after'")).isZero();
        assertThat(cp.count("SELECT last_acked_seq FROM hosts WHERE id = '" + id + "'")).isEqualTo(1);
    }

    @Test
    void aSocketOnAnotherReplicaGetsNoCommandAfterRotationAndTheCommandWaitsForTheNewToken() {
        ObjectNode h = cp.createHost("rot-deliver");
        String id = h.at("/host/id").asText();
        String commandId;
        String fresh;
        try (TestControlPlane other = cp.replica();
             WsClient old = other.agent(h.get("token").asText(), "rot-deliver", 0)) {
            fresh = rotate(id);
            Reply r = other.post("/v1/hosts/" + id + "/commands", other.operator(),
                    "{\"type\":\"adopt_pane\",\"pane_id\":\"%9\"}");
            assertThat(r.status()).isEqualTo(202);
            commandId = r.body().get("command_id").asText();
            WsClient.Close c = old.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).contains("superseded");
            assertThat(old.received).noneMatch(n -> n.path("type").asText().equals("command"));
        }
        assertThat(cp.get("/v1/commands/" + commandId, cp.viewer()).body().get("status").asText())
                .isEqualTo("queued");
        try (WsClient agent = cp.agent(fresh, "rot-deliver", 0)) {
            assertThat(agent.nextOfType("command").at("/payload/command_id").asText()).isEqualTo(commandId);
        }
    }
}
