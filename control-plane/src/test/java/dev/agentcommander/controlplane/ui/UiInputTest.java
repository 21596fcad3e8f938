package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The UI socket's {@code input}: typing reaches the host as ordered commands, operators only, audited per burst. */
class UiInputTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static String input(String sessionId, String text) {
        return "{\"type\":\"input\",\"session_id\":\"" + sessionId + "\",\"data\":\""
                + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"}";
    }

    @Test
    void typedBytesReachTheHostAsOrderedCommandsAndOneAuditRowPerBurst() {
        try (WsClient a = cp.agent(cp.createHost("in-a").get("token").asText(), "in-a", 0)) {
            a.send(Frames.upsert(1, "s-in", "typing"));
            a.nextOfType("agent.ack");
            try (WsClient ui = cp.ui(cp.operator())) {
                ui.send(input("s-in", "l"));
                ui.send(input("s-in", "echo 'a' $(b); c\r"));
                ui.send(input("s-in", "\u0003\u001b[A\t"));
                List<JsonNode> got = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    JsonNode c = a.nextOfType("command");
                    got.add(c.get("payload"));
                }
                assertThat(got.get(0).at("/name").asText()).isEqualTo("send_keys");
                assertThat(got.get(0).at("/args/keys/0").asText()).isEqualTo("l");
                assertThat(got.get(1).at("/name").asText()).isEqualTo("send_input");
                assertThat(got.get(1).at("/args/text").asText()).isEqualTo("echo 'a' $(b); c");
                assertThat(got.get(1).at("/args/submit").asBoolean()).isTrue();
                assertThat(got.get(2).at("/args/keys").toString()).isEqualTo("[\"C-c\",\"Up\",\"Tab\"]");
                assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'session.input' "
                        + "AND target = 's-in'"))
                        .isEqualTo(1);
                assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'command.create' "
                        + "AND detail->>'session_id' = 's-in'")).isZero();
            }
        }
    }

    @Test
    void aViewerMayNotTypeAndBadInputIsRefusedWithoutACommand() {
        try (WsClient a = cp.agent(cp.createHost("in-b").get("token").asText(), "in-b", 0)) {
            a.send(Frames.upsert(1, "s-in-b", "quiet"));
            a.nextOfType("agent.ack");
            long before = cp.count("SELECT count(*) FROM commands WHERE session_id = 's-in-b'");
            try (WsClient viewer = cp.ui(cp.viewer()); WsClient op = cp.ui(cp.operator())) {
                viewer.send(input("s-in-b", "rm -rf /\r"));
                assertThat(viewer.nextOfType("error").at("/error/code").asText()).isEqualTo("forbidden");
                op.send("{\"type\":\"input\",\"session_id\":\"s-in-b\",\"data\":\"%%%\"}");
                assertThat(op.nextOfType("error").at("/error/message").asText()).contains("base64");
                op.send(input("no-such-session", "x"));
                assertThat(op.nextOfType("error").at("/error/message").asText()).contains("not found");
                op.send("{\"type\":\"input\",\"session_id\":\"../x\",\"data\":\"eA==\"}");
                assertThat(op.nextOfType("error").at("/error/code").asText()).isEqualTo("invalid");
                op.send(input("s-in-b", "x".repeat(4097)));
                assertThat(op.nextOfType("error").at("/error/message").asText()).contains("4096");
            }
            assertThat(cp.count("SELECT count(*) FROM commands WHERE session_id = 's-in-b'")).isEqualTo(before);
        }
    }

    @Test
    void aPendingOnlySubscriberIsToldWhenAnApprovalItSawIsDecided() {
        try (WsClient a = cp.agent(cp.createHost("in-c").get("token").asText(), "in-c", 0);
             WsClient ui = cp.ui(cp.viewer())) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"p\",\"topic\":\"approvals\","
                    + "\"filter\":{\"status\":\"pending\"}}");
            ui.nextOfType("subscribed");
            a.send(Frames.frame("approval.requested", 1, "{\"approval_id\":\"in-ap\",\"session_id\":\"s-c\","
                    + "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}"));
            ui.next(n -> n.at("/approval/id").asText().equals("in-ap")
                    && n.at("/approval/status").asText().equals("pending"));
            assertThat(cp.post("/v1/approvals/in-ap/decision", cp.operator(), "{\"behavior\":\"allow\"}").status())
                    .isEqualTo(200);
            JsonNode decided = ui.next(n -> n.at("/approval/id").asText().equals("in-ap")
                    && !n.at("/approval/status").asText().equals("pending"));
            assertThat(decided.at("/approval/decided_by").asText()).isNotEmpty();
        }
    }
}
