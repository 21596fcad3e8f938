package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a page's subscription is scoped to: one session (the session page), one kind (the jobs page), and whether a
 * session is managed (the sessions page offers Adopt only where it is not), stored and served by REST and the socket.
 */
class UiSessionScopeTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static WsClient agent(String name) {
        return cp.agent(cp.createHost(name).get("token").asText(), name, 0);
    }

    private static String upsert(long seq, String id, String extra) {
        return Frames.frame("sessions.upsert", seq, "{\"session\":{\"session_id\":\"" + id + "\",\"provider\":"
                + "\"shell\",\"status\":\"IDLE\",\"name\":\"" + id + "\"" + extra + "}}");
    }

    @Test
    void managedIsStoredAndServedAndAbsentWhenTheAgentDidNotSayIt() {
        try (WsClient a = agent("scope-m")) {
            a.send(upsert(1, "s-m-yes", ",\"managed\":true"));
            a.send(upsert(2, "s-m-no", ",\"managed\":false"));
            a.send(upsert(3, "s-m-old", ""));
            a.until(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == 3);
            assertThat(cp.get("/v1/sessions/s-m-yes", cp.viewer()).body().get("managed").asBoolean()).isTrue();
            assertThat(cp.get("/v1/sessions/s-m-no", cp.viewer()).body().get("managed").asBoolean(true)).isFalse();
            assertThat(cp.get("/v1/sessions/s-m-old", cp.viewer()).body().has("managed")).isFalse();
            try (WsClient ui = cp.ui(cp.viewer())) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"m\",\"topic\":\"sessions\",\"filter\":{\"session_id\":"
                        + "\"s-m-no\"}}");
                JsonNode s = ui.nextOfType("sessions.changed");
                assertThat(s.at("/session/managed").isBoolean()).isTrue();
                assertThat(s.at("/session/managed").asBoolean(true)).isFalse();
                a.send(upsert(4, "s-m-no", ",\"managed\":true")); // adopted
                assertThat(ui.nextOfType("sessions.changed").at("/session/managed").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void aSubscriptionToOneSessionGetsThatSessionOnlyAndAnotherSessionsChangeNeverReachesIt() {
        try (WsClient a = agent("scope-one")) {
            a.send(upsert(1, "s-mine", ""));
            a.send(upsert(2, "s-other", ""));
            a.until(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == 2);
            try (WsClient ui = cp.ui(cp.viewer())) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"one\",\"topic\":\"sessions\",\"filter\":{\"session_id\":"
                        + "\"s-mine\"}}");
                List<JsonNode> initial = ui.throughPong();
                assertThat(initial).extracting(n -> n.path("type").asText())
                        .containsExactly("subscribed", "sessions.changed");
                assertThat(initial.get(1).at("/session/session_id").asText()).isEqualTo("s-mine");
                a.send(upsert(3, "s-other", ",\"title\":\"changed\""));
                a.send(Frames.frame("sessions.removed", 4, "{\"session_id\":\"s-other\"}"));
                a.send(upsert(5, "s-mine", ",\"title\":\"mine changed\""));
                JsonNode mine = ui.nextOfType("sessions.changed"); // ingest and fan-out keep the host's order
                assertThat(mine.at("/session/session_id").asText()).isEqualTo("s-mine");
                assertThat(mine.at("/session/title").asText()).isEqualTo("mine changed");
                assertThat(ui.throughPong()).as("nothing about s-other reached this socket")
                        .noneMatch(n -> n.toString().contains("s-other"));
            }
            assertThat(cp.get("/v1/sessions?session_id=s-mine", cp.viewer()).body().get("items"))
                    .extracting(n -> n.get("session_id").asText()).containsExactly("s-mine");
            assertThat(cp.get("/v1/sessions?session_id=a%20b", cp.viewer()).status()).isEqualTo(400);
        }
    }

    @Test
    void anApprovalsSubscriptionForOneSessionGetsOnlyThatSessionsApprovals() {
        try (WsClient a = agent("scope-ap")) {
            a.send(upsert(1, "s-ap-mine", ""));
            a.send(upsert(2, "s-ap-other", ""));
            a.send(Frames.frame("approval.requested", 3, "{\"approval_id\":\"ap-other-1\",\"session_id\":"
                    + "\"s-ap-other\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}"));
            a.until(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == 3);
            try (WsClient ui = cp.ui(cp.viewer())) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"ap\",\"topic\":\"approvals\",\"filter\":{\"status\":"
                        + "\"pending\",\"session_id\":\"s-ap-mine\"}}");
                assertThat(ui.throughPong()).extracting(n -> n.path("type").asText()).containsExactly("subscribed");
                a.send(Frames.frame("approval.requested", 4, "{\"approval_id\":\"ap-other-2\",\"session_id\":"
                        + "\"s-ap-other\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}"));
                a.send(Frames.frame("approval.requested", 5, "{\"approval_id\":\"ap-mine\",\"session_id\":"
                        + "\"s-ap-mine\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"pwd\"}}"));
                JsonNode mine = ui.nextOfType("approvals.changed");
                assertThat(mine.at("/approval/id").asText()).isEqualTo("ap-mine");
                assertThat(ui.throughPong()).noneMatch(n -> n.toString().contains("s-ap-other"));
            }
            try (WsClient ui = cp.ui(cp.viewer())) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"x\",\"topic\":\"approvals\",\"filter\":{"
                        + "\"session_id\":\"a b\"}}");
                assertThat(ui.nextOfType("error").at("/error/message").asText()).startsWith("filter.session_id");
            }
        }
    }

    @Test
    void aKindFilterKeepsPanesOffTheJobsList() {
        try (WsClient a = agent("scope-kind"); WsClient ui = cp.ui(cp.viewer())) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"j\",\"topic\":\"sessions\",\"filter\":{\"kind\":\"job\"}}");
            ui.nextOfType("subscribed");
            a.send(upsert(1, "s-kind-pane", ""));
            a.send(upsert(2, "s-kind-job", ",\"kind\":\"job\",\"provider\":\"codex\""));
            JsonNode first = ui.nextOfType("sessions.changed");
            assertThat(first.at("/session/session_id").asText()).isEqualTo("s-kind-job");
            assertThat(ui.throughPong()).noneMatch(n -> n.toString().contains("s-kind-pane"));
            ui.send("{\"type\":\"subscribe\",\"sub\":\"bad\",\"topic\":\"sessions\",\"filter\":{\"kind\":\"tab\"}}");
            JsonNode err = ui.nextOfType("error");
            assertThat(err.get("sub").asText()).isEqualTo("bad");
            assertThat(err.at("/error/message").asText()).startsWith("filter.kind:");
        }
    }
}
