package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An approval the person answered in the pane (real Claude Code does not end the waiting hook then; agentd ends it
 * {@code cancelled} with reason {@code answered_in_pane}): it leaves the pending list, a later decision is refused
 * 409 saying so, and nothing in the audit log claims a person decided it.
 */
class AnsweredInPaneApprovalsTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static WsClient agentWithApproval(String hostName, String approvalId) {
        ObjectNode h = cp.createHost(hostName);
        WsClient a = cp.agent(h.get("token").asText(), hostName, 0);
        a.send(Frames.frame("approval.requested", 1, "{\"approval_id\":\"" + approvalId + "\",\"session_id\":\"s-"
                + approvalId + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"git tag v1\"},"
                + "\"prompt_id\":\"0f8e1b2c-3d4a-4b5c-8d6e-7f8091a2b3c4\",\"tool_use_id\":\"toolu_01\","
                + "\"permission_suggestions\":[{\"type\":\"addRules\",\"rules\":[{\"toolName\":\"Bash\","
                + "\"ruleContent\":\"git tag *\"}],\"behavior\":\"allow\",\"destination\":\"localSettings\"}],"
                + "\"permission_choices\":[{\"index\":0,\"type\":\"addRules\",\"scope\":\"project_local\","
                + "\"lasting\":true,\"stops_asking\":true,\"label\":\"Always allow Bash(git tag *) in this project\"}],"
                + "\"some_field_from_a_newer_agent\":1}"));
        a.nextOfType("agent.ack");
        return a;
    }

    private static Reply decide(String id) {
        return cp.post("/v1/approvals/" + id + "/decision", cp.operator(), "{\"behavior\":\"deny\",\"message\":\"no\"}");
    }

    @Test
    void anApprovalAnsweredInThePaneIsWithdrawnAndALaterDecisionIsRefusedSayingSo() {
        try (WsClient a = agentWithApproval("aip-1", "aip1")) {
            JsonNode row = cp.get("/v1/approvals/aip1", cp.viewer()).body();
            assertThat(row.get("prompt_id").asText()).isEqualTo("0f8e1b2c-3d4a-4b5c-8d6e-7f8091a2b3c4");
            assertThat(row.get("tool_use_id").asText()).isEqualTo("toolu_01");
            assertThat(row.at("/permission_choices/0/stops_asking").asBoolean()).isTrue();
            assertThat(row.get("screen_unreadable").asBoolean()).isFalse();

            a.send(Frames.frame("approval.resolved", 2, "{\"approval_id\":\"aip1\",\"outcome\":\"cancelled\","
                    + "\"reason\":\"answered_in_pane\"}"));
            a.nextOfType("agent.ack");
        }
        JsonNode row = cp.get("/v1/approvals/aip1", cp.viewer()).body();
        assertThat(row.get("status").asText()).isEqualTo("cancelled");
        assertThat(row.get("reason").asText()).isEqualTo("answered_in_pane");
        assertThat(cp.get("/v1/approvals?status=pending", cp.viewer()).body().toString()).doesNotContain("aip1");

        Reply late = decide("aip1");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body().at("/error/message").asText()).contains("answered in the pane");
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE target = 'aip1'")).isZero();
    }

    @Test
    void aDecisionOvertakenByTheAnswerInThePaneIsMarkedVoidInTheAuditLog() {
        try (WsClient a = agentWithApproval("aip-2", "aip2")) {
            assertThat(decide("aip2").status()).isEqualTo(200); // both at once: the REST decision won the row
            a.nextOfType("approval.decision");
            a.send(Frames.frame("approval.resolved", 2, "{\"approval_id\":\"aip2\",\"outcome\":\"cancelled\","
                    + "\"reason\":\"answered_in_pane\"}"));
            a.nextOfType("agent.ack");
        }
        JsonNode row = cp.get("/v1/approvals/aip2", cp.viewer()).body();
        assertThat(row.get("status").asText()).isEqualTo("cancelled");
        assertThat(row.get("reason").asText()).isEqualTo("answered_in_pane");
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decide' AND target = 'aip2'"))
                .isEqualTo(1);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decision_void' "
                + "AND target = 'aip2' AND detail->>'reason' = 'answered_in_pane'")).isEqualTo(1);
    }

    @Test
    void aDecidedOutcomeCarriesNoReasonAndAnAllowedOneIsNotVoid() {
        try (WsClient a = agentWithApproval("aip-3", "aip3")) {
            assertThat(decide("aip3").status()).isEqualTo(200);
            a.nextOfType("approval.decision");
            a.send(Frames.frame("approval.resolved", 2, "{\"approval_id\":\"aip3\",\"outcome\":\"denied\"}"));
            a.nextOfType("agent.ack");
        }
        JsonNode row = cp.get("/v1/approvals/aip3", cp.viewer()).body();
        assertThat(row.get("status").asText()).isEqualTo("denied");
        assertThat(row.get("reason").isNull()).isTrue();
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decision_void' "
                + "AND target = 'aip3'")).isZero();
    }
}
