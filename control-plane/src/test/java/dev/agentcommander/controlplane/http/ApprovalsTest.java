package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApprovalsTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();
    static final java.util.Map<String, String> tokens = new java.util.concurrent.ConcurrentHashMap<>();

    private static WsClient agentWithApproval(String hostName, String approvalId) {
        ObjectNode h = cp.createHost(hostName);
        tokens.put(hostName, h.get("token").asText());
        WsClient a = cp.agent(h.get("token").asText(), hostName, 0);
        a.send(Frames.frame("approval.requested", 1, "{\"approval_id\":\"" + approvalId + "\",\"session_id\":\"s-"
                + approvalId + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"rm -rf build\"},"
                + "\"permission_suggestions\":[{\"type\":\"addRules\"}]}"));
        a.nextOfType("agent.ack");
        return a;
    }

    private static Reply decide(String id, String token, String body) {
        return cp.post("/v1/approvals/" + id + "/decision", token, body);
    }

    @Test
    void requestedApprovalIsPendingThenDecidedOnceAndDeliveredToTheHost() {
        try (WsClient a = agentWithApproval("ap-1", "ap1")) {
            JsonNode pending = cp.get("/v1/approvals?status=pending", cp.viewer()).body().get("items");
            assertThat(pending.toString()).contains("\"id\":\"ap1\"").contains("rm -rf build");
            Reply r = decide("ap1", cp.operator(),
                    "{\"behavior\":\"allow\",\"updated_input\":{\"command\":\"rm -rf build/tmp\"}}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("status").asText()).isEqualTo("allowed");
            assertThat(r.body().get("decided_by").asText()).isEqualTo("olga");
            JsonNode d = a.nextOfType("approval.decision");
            assertThat(d.at("/payload/approval_id").asText()).isEqualTo("ap1");
            assertThat(d.at("/payload/behavior").asText()).isEqualTo("allow");
            assertThat(d.at("/payload/updated_input/command").asText()).isEqualTo("rm -rf build/tmp");

            Reply second = decide("ap1", cp.operator(), "{\"behavior\":\"deny\"}");
            assertThat(second.status()).isEqualTo(409);
            assertThat(second.body().at("/error/code").asText()).isEqualTo("conflict");

            a.send(Frames.frame("approval.resolved", 2, "{\"approval_id\":\"ap1\",\"outcome\":\"allowed\"}"));
            a.nextOfType("agent.ack");
        }
        // delivered_at is written after the frame went out, so the agent can see the frame first
        Await.until("ap1 marked delivered", () -> !cp.get("/v1/approvals/ap1", cp.viewer()).body()
                .get("delivered_at").isNull());
        JsonNode row = cp.get("/v1/approvals/ap1", cp.viewer()).body();
        assertThat(row.get("status").asText()).isEqualTo("allowed");
        assertThat(row.get("resolved_at").isNull()).isFalse();
        assertThat(row.get("delivered_at").isNull()).isFalse();
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decide' AND target = 'ap1'"))
                .isEqualTo(1);
    }

    @Test
    void concurrentDecisionsHaveExactlyOneWinner() throws Exception {
        try (WsClient a = agentWithApproval("ap-2", "ap2")) {
            int n = 8;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
                for (int i = 0; i < n; i++) {
                    String behavior = i % 2 == 0 ? "allow" : "deny";
                    results.add(pool.submit(() -> {
                        go.await();
                        return decide("ap2", cp.operator(), "{\"behavior\":\"" + behavior + "\"}").status();
                    }));
                }
                go.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : results) {
                    statuses.add(f.get());
                }
                assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
                assertThat(statuses).filteredOn(s -> s == 409).hasSize(n - 1);
            }
            a.nextOfType("approval.decision");
        }
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decide' AND target = 'ap2'"))
                .isEqualTo(1);
    }

    @Test
    void decisionMadeWhileHostIsAwayIsDeliveredAfterReconnect() {
        agentWithApproval("ap-3", "ap3").close();
        assertThat(decide("ap3", cp.operator(), "{\"behavior\":\"deny\",\"message\":\"not now\"}").status())
                .isEqualTo(200);
        assertThat(cp.string("SELECT delivered_at FROM approvals WHERE id = 'ap3'")).isNull();
        try (WsClient a = cp.agent(tokens.get("ap-3"), "ap-3", 1)) {
            JsonNode d = a.nextOfType("approval.decision");
            assertThat(d.at("/payload/approval_id").asText()).isEqualTo("ap3");
            assertThat(d.at("/payload/behavior").asText()).isEqualTo("deny");
            assertThat(d.at("/payload/message").asText()).isEqualTo("not now");
        }
    }

    @Test
    void unknownApprovalIs404AndBadDecisionsAre400Or403() {
        assertThat(decide("nope", cp.operator(), "{\"behavior\":\"allow\"}").status()).isEqualTo(404);
        assertThat(decide("nope", cp.operator(), "{\"behavior\":\"maybe\"}").status()).isEqualTo(400);
        assertThat(decide("nope", cp.operator(), "{\"behavior\":\"unknown\"}").status()).isEqualTo(400);
        assertThat(decide("nope", cp.operator(), "{\"behavior\":0}").status()).isEqualTo(400);
        assertThat(decide("nope", cp.operator(), "{}").status()).isEqualTo(400);
        assertThat(decide("nope", cp.operator(), "{\"behavior\":\"allow\",\"updated_input\":\"rm\"}").status())
                .isEqualTo(400);
        assertThat(decide("nope", cp.operator(), "{\"behavior\":\"allow\",\"updated_permissions\":{}}").status())
                .isEqualTo(400);
        assertThat(decide("nope", cp.viewer(), "{\"behavior\":\"allow\"}").status()).isEqualTo(403);
        assertThat(decide("nope", null, "{\"behavior\":\"allow\"}").status()).isEqualTo(401);
    }

    @Test
    void hostResolvingAnApprovalSetsTheFinalStatus() {
        try (WsClient a = agentWithApproval("ap-4", "ap4")) {
            // an outcome this build does not know (a newer agent's) is acked and changes nothing
            a.send(Frames.frame("approval.resolved", 2, "{\"approval_id\":\"ap4\",\"outcome\":\"withdrawn\"}"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(2);
            assertThat(cp.get("/v1/approvals/ap4", cp.viewer()).body().get("status").asText()).isEqualTo("pending");
            a.send(Frames.frame("approval.resolved", 3, "{\"approval_id\":\"ap4\",\"outcome\":\"cancelled\"}"));
            a.nextOfType("agent.ack");
        }
        assertThat(cp.get("/v1/approvals/ap4", cp.viewer()).body().get("status").asText())
                .isEqualTo("cancelled");
        assertThat(decide("ap4", cp.operator(), "{\"behavior\":\"allow\"}").status()).isEqualTo(409);
    }

    @Test
    void expiredApprovalCannotBeDecided() {
        ObjectNode h = cp.createHost("ap-5");
        try (WsClient a = cp.agent(h.get("token").asText(), "ap-5", 0)) {
            a.send(Frames.frame("approval.requested", 1, "{\"approval_id\":\"ap5\",\"tool_name\":\"Bash\","
                    + "\"tool_input\":{},\"expires_at\":\"2020-01-01T00:00:00Z\"}"));
            a.nextOfType("agent.ack");
        }
        Reply r = decide("ap5", cp.operator(), "{\"behavior\":\"allow\"}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.body().at("/error/message").asText()).contains("expired");
    }

    @Test
    void theAuditOfADecisionNamesTheEditedInputAndTheAlwaysAllowGrant() {
        try (WsClient a = agentWithApproval("ap-audit", "ap-audit")) {
            Reply r = decide("ap-audit", cp.operator(), "{\"behavior\":\"allow\",\"updated_input\":{\"command\":"
                    + "\"rm -rf build/tmp\"},\"updated_permissions\":[{\"type\":\"addRules\",\"rules\":"
                    + "[{\"toolName\":\"Bash\",\"ruleContent\":\"rm -rf build/tmp\"}],\"destination\":\"session\"}]}");
            assertThat(r.status()).isEqualTo(200);
            a.nextOfType("approval.decision");
        }
        JsonNode items = cp.get("/v1/audit", cp.admin()).body().get("items");
        JsonNode row = null;
        for (JsonNode it : items) {
            if (it.path("action").asText().equals("approval.decide") && it.path("target").asText().equals("ap-audit")) {
                row = it;
            }
        }
        assertThat(row).as("the decision's audit row").isNotNull();
        assertThat(row.at("/detail/updated_input/command").asText()).isEqualTo("rm -rf build/tmp");
        assertThat(row.at("/detail/updated_permissions/0/type").asText()).isEqualTo("addRules");
        assertThat(row.at("/detail/updated_permissions/0/rules/0/ruleContent").asText()).isEqualTo("rm -rf build/tmp");
    }
}
