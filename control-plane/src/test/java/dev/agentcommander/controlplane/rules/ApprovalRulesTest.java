package dev.agentcommander.controlplane.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import dev.agentcommander.schema.Json;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Approval rules against a real control plane and Postgres, with the agent side spoken frame by frame: a rule's
 * decision reaches the host as an {@code approval.decision} with nobody deciding, under {@code rule:<id>}.
 */
class ApprovalRulesTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();
    private static final AtomicLong SEQ = new AtomicLong();

    @AfterEach
    void deleteRules() {
        for (JsonNode r : cp.get("/v1/approval-rules", cp.viewer()).body().get("items")) {
            assertThat(cp.delete("/v1/approval-rules/" + r.get("id").asText(), cp.admin()).status()).isEqualTo(204);
        }
    }

    private record Host(String id, String token, WsClient agent, String name) implements AutoCloseable {
        @Override
        public void close() {
            agent.close();
        }
    }

    private static Host host(TestControlPlane on, String name) {
        ObjectNode h = cp.createHost(name);
        return new Host(h.at("/host/id").asText(), h.get("token").asText(),
                on.agent(h.get("token").asText(), name, 0), name);
    }

    /** Sends an approval request and waits for its ack; returns the stored approval. */
    private static JsonNode request(Host h, String id, String tool, String inputJson) {
        long seq = SEQ.incrementAndGet();
        h.agent().send(Frames.frame("approval.requested", seq, "{\"approval_id\":\"" + id + "\",\"session_id\":\"s-"
                + id + "\",\"tool_name\":\"" + tool + "\",\"tool_input\":" + inputJson + "}"));
        h.agent().next(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() >= seq);
        return cp.get("/v1/approvals/" + id, cp.viewer()).body();
    }

    private static String bash(String command) {
        return Json.mapper().createObjectNode().put("command", command).toString();
    }

    private static String rule(String json) {
        Reply r = cp.post("/v1/approval-rules", cp.admin(), json);
        assertThat(r.status()).as("create rule " + json + ": " + r.body()).isEqualTo(201);
        return r.body().at("/rule/id").asText();
    }

    @Test
    void anAllowRuleAnswersTheHostWithNoPersonAndTheAuditNamesTheRule() {
        String id = rule("{\"tool\":\"Read\",\"action\":\"allow\"}");
        try (Host h = host(cp, "rules-allow")) {
            JsonNode a = request(h, "ra1", "Read", "{\"file_path\":\"/src/app/README.md\"}");
            assertThat(a.get("status").asText()).isEqualTo("allowed");
            assertThat(a.get("decided_by").asText()).isEqualTo("rule:" + id);
            assertThat(a.get("rule_id").asText()).isEqualTo(id);
            assertThat(a.get("risk").asText()).isEqualTo("low");
            JsonNode d = h.agent().nextOfType("approval.decision");
            assertThat(d.at("/payload/approval_id").asText()).isEqualTo("ra1");
            assertThat(d.at("/payload/behavior").asText()).isEqualTo("allow");
        }
        assertThat(cp.string("SELECT actor FROM audit_log WHERE action = 'approval.decide' AND target = 'ra1'"))
                .isEqualTo("rule:" + id);
        assertThat(cp.string("SELECT detail->>'rule_id' FROM audit_log WHERE action = 'approval.decide' "
                + "AND target = 'ra1'")).isEqualTo(id);
        assertThat(cp.get("/v1/approvals?status=decided", cp.viewer()).body().get("items").toString())
                .contains("\"decided_by\":\"rule:" + id + "\"");
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval_rule.create' AND target = '"
                + id + "' AND actor = 'alice'")).isEqualTo(1);
    }

    @Test
    void aDenyRuleBeatsAnAllowRuleSavedBeforeIt() {
        rule("{\"tool\":\"Bash\",\"action\":\"allow\"}");
        String deny = rule("{\"tool\":\"*\",\"pattern\":\"git\\\\s+push\\\\b.*--force\",\"action\":\"deny\","
                + "\"message\":\"No force pushes.\"}");
        try (Host h = host(cp, "rules-deny")) {
            JsonNode forced = request(h, "rd1", "Bash", bash("git push origin main --force"));
            assertThat(forced.get("status").asText()).isEqualTo("denied");
            assertThat(forced.get("decided_by").asText()).isEqualTo("rule:" + deny);
            JsonNode d = h.agent().nextOfType("approval.decision");
            assertThat(d.at("/payload/behavior").asText()).isEqualTo("deny");
            assertThat(d.at("/payload/message").asText()).isEqualTo("No force pushes.");
            JsonNode plain = request(h, "rd2", "Bash", bash("git push origin main"));
            assertThat(plain.get("status").asText()).isEqualTo("allowed");
            assertThat(plain.get("risk").asText()).as("the tool's default risk").isEqualTo("high");
        }
    }

    @Test
    void aPatternThatMatchesPartOfACommandDoesWhatItsAnchorsSay() {
        rule("{\"tool\":\"Bash\",\"pattern\":\"^ls( |$)\",\"action\":\"allow\"}");
        rule("{\"tool\":\"Bash\",\"pattern\":\"rm -rf\",\"action\":\"deny\"}");
        try (Host h = host(cp, "rules-anchors")) {
            assertThat(request(h, "rn1", "Bash", bash("ls -la")).get("status").asText()).isEqualTo("allowed");
            assertThat(request(h, "rn2", "Bash", bash("ls")).get("status").asText()).isEqualTo("allowed");
            // ^ anchors: "ls" later in the command does not count, and "lsblk" is another program
            assertThat(request(h, "rn3", "Bash", bash("echo hi; ls")).get("status").asText()).isEqualTo("pending");
            assertThat(request(h, "rn4", "Bash", bash("lsblk")).get("status").asText()).isEqualTo("pending");
            // unanchored: found anywhere in the command
            assertThat(request(h, "rn5", "Bash", bash("cd /tmp && sudo rm -rf /")).get("status").asText())
                    .isEqualTo("denied");
        }
    }

    @Test
    void aRuleForOneHostLeavesOtherHostsAlone() {
        try (Host one = host(cp, "rules-host-1"); Host two = host(cp, "rules-host-2")) {
            rule("{\"tool\":\"Bash\",\"host_id\":\"" + one.id() + "\",\"action\":\"allow\"}");
            assertThat(request(one, "rh1", "Bash", bash("make")).get("status").asText()).isEqualTo("allowed");
            assertThat(request(two, "rh2", "Bash", bash("make")).get("status").asText()).isEqualTo("pending");
        }
    }

    @Test
    void anAskRuleLeavesTheRequestToAPersonWithItsRisk() {
        rule("{\"tool\":\"mcp__github__create_issue\",\"action\":\"ask\",\"risk\":\"low\"}");
        try (Host h = host(cp, "rules-ask")) {
            JsonNode a = request(h, "rk1", "mcp__github__create_issue", "{\"title\":\"bug\"}");
            assertThat(a.get("status").asText()).isEqualTo("pending");
            assertThat(a.get("risk").asText()).isEqualTo("low");
            assertThat(a.get("decided_by").isNull()).isTrue();
            JsonNode other = request(h, "rk2", "mcp__github__delete_repo", "{\"name\":\"x\"}");
            assertThat(other.get("risk").asText()).as("a tool the table does not know").isEqualTo("medium");
            assertThat(other.get("rule_id").isNull()).isTrue();
        }
    }

    @Test
    void aBadRuleIsRefusedNamingItsFieldAndNothingIsSaved() {
        String longPattern = "a".repeat(RuleStore.MAX_PATTERN + 1);
        String[][] cases = {
                {"{\"tool\":\"Bash\",\"pattern\":\"(a\",\"action\":\"deny\"}", "pattern:"},
                {"{\"tool\":\"Bash\",\"pattern\":\"(?<=x)y\",\"action\":\"deny\"}", "pattern:"},
                {"{\"tool\":\"Bash\",\"pattern\":\"" + longPattern + "\",\"action\":\"deny\"}", "pattern:"},
                {"{\"tool\":\"Bash\",\"pattern\":\"\",\"action\":\"deny\"}", "pattern:"},
                {"{\"tool\":\"Bash\",\"pattern\":7,\"action\":\"deny\"}", "pattern:"},
                {"{\"tool\":\"Ba sh\",\"action\":\"deny\"}", "tool:"},
                {"{\"action\":\"deny\"}", "tool:"},
                {"{\"tool\":\"Bash\",\"action\":\"maybe\"}", "action:"},
                {"{\"tool\":\"Bash\"}", "action:"},
                {"{\"tool\":\"Bash\",\"action\":\"ask\",\"risk\":\"extreme\"}", "risk:"},
                {"{\"tool\":\"Bash\",\"action\":\"ask\",\"host_id\":\"h_nosuchhost\"}", "host_id:"},
                {"{\"tool\":\"Bash\",\"action\":\"deny\",\"message\":\"" + "m".repeat(5000) + "\"}", "message:"},
        };
        for (String[] c : cases) {
            Reply r = cp.post("/v1/approval-rules", cp.admin(), c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.body().at("/error/code").asText()).isEqualTo("invalid");
            assertThat(r.body().at("/error/message").asText()).as(c[0]).startsWith(c[1]);
        }
        assertThat(cp.count("SELECT count(*) FROM approval_rules")).isZero();
        assertThat(cp.post("/v1/approval-rules", cp.operator(), "{\"tool\":\"Bash\",\"action\":\"allow\"}").status())
                .isEqualTo(403);
        assertThat(cp.post("/v1/approval-rules", null, "{\"tool\":\"Bash\",\"action\":\"allow\"}").status())
                .isEqualTo(401);
        assertThat(cp.count("SELECT count(*) FROM approval_rules")).isZero();
    }

    @Test
    void aCatastrophicBacktrackingPatternAgainstALongInputStaysFast() {
        rule("{\"tool\":\"Bash\",\"pattern\":\"(a+)+$\",\"action\":\"deny\"}");
        rule("{\"tool\":\"Bash\",\"pattern\":\"^(a|aa)+b\",\"action\":\"deny\"}");
        try (Host h = host(cp, "rules-redos")) {
            // a backtracking engine takes exponential time on these; RE2 is linear, so the ack comes at once
            String input = "a".repeat(20_000) + "!";
            long t0 = System.nanoTime();
            JsonNode a = request(h, "rr1", "Bash", bash(input));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(a.get("status").asText()).isEqualTo("pending");
            assertThat(took).as("stored and acked").isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aRuleChangedOnOneReplicaAppliesToRequestsStoredOnAnother() {
        try (TestControlPlane other = cp.replica(); Host h = host(other, "rules-replica")) {
            assertThat(request(h, "rp1", "Grep", "{\"pattern\":\"x\"}").get("status").asText()).isEqualTo("pending");
            String id = rule("{\"tool\":\"Grep\",\"action\":\"allow\"}");
            assertThat(request(h, "rp2", "Grep", "{\"pattern\":\"x\"}").get("status").asText()).isEqualTo("allowed");
            Reply patched = cp.call("PATCH", "/v1/approval-rules/" + id, cp.admin(),
                    "{\"action\":\"deny\",\"message\":\"no grep\"}");
            assertThat(patched.status()).isEqualTo(200);
            assertThat(patched.body().at("/rule/action").asText()).isEqualTo("deny");
            assertThat(patched.body().at("/rule/tool").asText()).as("fields not given stay").isEqualTo("Grep");
            assertThat(request(h, "rp3", "Grep", "{\"pattern\":\"x\"}").get("status").asText()).isEqualTo("denied");
            assertThat(cp.delete("/v1/approval-rules/" + id, cp.admin()).status()).isEqualTo(204);
            assertThat(request(h, "rp4", "Grep", "{\"pattern\":\"x\"}").get("status").asText()).isEqualTo("pending");
            assertThat(cp.delete("/v1/approval-rules/" + id, cp.admin()).status()).isEqualTo(404);
            assertThat(cp.call("PATCH", "/v1/approval-rules/" + id, cp.admin(), "{\"action\":\"deny\"}").status())
                    .isEqualTo(404);
        }
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action IN ('approval_rule.update', "
                + "'approval_rule.delete')")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRuleDecisionIsDeliveredAgainAfterTheHostReconnects() {
        rule("{\"tool\":\"Glob\",\"action\":\"allow\"}");
        Host h = host(cp, "rules-reconnect");
        request(h, "rc1", "Glob", "{\"pattern\":\"**/*.java\"}");
        h.agent().nextOfType("approval.decision");
        h.close();
        try (WsClient again = cp.agent(h.token(), h.name(), SEQ.get())) {
            JsonNode d = again.nextOfType("approval.decision");
            assertThat(d.at("/payload/approval_id").asText()).isEqualTo("rc1");
            assertThat(d.at("/payload/behavior").asText()).isEqualTo("allow");
        }
    }
}
