package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SessionTest {
    @Test
    void anAgentsSessionSaysNothingAboutItsHostAndTheControlPlanesSaysConnected() throws Exception {
        Session reported = CodecTest.session();
        assertThat(reported.hostConnected()).isNull();
        assertThat(Json.mapper().valueToTree(reported).has("host_connected")).isFalse();
        Session stored = reported.withHostId("h_1");
        assertThat(stored.hostConnected()).isTrue();
        JsonNode json = Json.mapper().valueToTree(stored);
        assertThat(json.get("host_connected").asBoolean()).isTrue();
        assertThat(json.get("host_id").asText()).isEqualTo("h_1");
        Session back = Json.mapper().treeToValue(json, Session.class);
        assertThat(back).isEqualTo(stored);
    }

    @Test
    void whatAnAgentSendsAsHostConnectedIsReplacedByTheControlPlane() throws Exception {
        Session lying = Json.mapper().readValue("{\"session_id\":\"s\",\"host_id\":\"other\","
                + "\"host_connected\":false}", Session.class);
        assertThat(lying.hostConnected()).isFalse();
        Session stored = lying.withHostId("h_1");
        assertThat(stored.hostId()).isEqualTo("h_1");
        assertThat(stored.hostConnected()).isTrue();
        assertThat(stored.withStatus(SessionStatus.WAITING, true).hostConnected()).isTrue();
    }
}
