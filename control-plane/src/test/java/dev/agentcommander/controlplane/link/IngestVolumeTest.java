package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IngestVolumeTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    @Test
    void thousandsOfEventsResentWithOverlapEndStoredExactlyOnceInSeqOrder() {
        int total = 5000;
        ObjectNode h = cp.createHost("volume");
        String hostId = h.at("/host/id").asText();
        String token = h.get("token").asText();
        try (WsClient a = cp.agent(token, "volume", 0)) {
            for (int seq = 1; seq <= 3000; seq++) {
                a.send(Frames.event(seq, "s-vol", "tick"));
            }
            a.next(n -> n.at("/payload/seq").asLong() == 3000);
        }
        try (WsClient a = WsClient.connect(cp.ws("/v1/agent"), token)) {
            a.send(Frames.hello("volume", 2000));
            JsonNode welcome = a.nextOfType("agent.welcome");
            assertThat(welcome.at("/payload/last_acked_seq").asLong()).isEqualTo(3000);
            for (int seq = 2001; seq <= total; seq++) {
                a.send(Frames.event(seq, "s-vol", "tick"));
            }
            a.next(n -> n.at("/payload/seq").asLong() == total);
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE host_id = '" + hostId + "'")).isEqualTo(total);
        assertThat(cp.count("SELECT count(DISTINCT seq) FROM events WHERE host_id = '" + hostId + "'"))
                .isEqualTo(total);
        assertThat(cp.count("SELECT max(seq) - min(seq) + 1 FROM events WHERE host_id = '" + hostId + "'"))
                .isEqualTo(total);
        assertThat(cp.count("SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY id) AS prev FROM events "
                + "WHERE host_id = '" + hostId + "') t WHERE prev IS NOT NULL AND seq <> prev + 1")).isZero();
        assertThat(cp.count("SELECT last_acked_seq FROM hosts WHERE id = '" + hostId + "'")).isEqualTo(total);
    }

    @Test
    void heartbeatsAreNotSequencedAndKeepTheLinkAlive() {
        ObjectNode h = cp.createHost("beat");
        try (WsClient a = cp.agent(h.get("token").asText(), "beat", 0)) {
            a.send("{\"v\":1,\"type\":\"agent.heartbeat\",\"payload\":{}}");
            a.send(Frames.event(1, "s-beat", "x"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
        }
        assertThat(cp.string("SELECT agent_version FROM hosts WHERE name = 'beat'")).isEqualTo("0.1.0-test");
    }
}
