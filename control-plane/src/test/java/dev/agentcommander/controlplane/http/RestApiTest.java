package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RestApiTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    @Test
    void startPrintsTheListeningLineAndNothingElse() {
        assertThat(cp.stdout()).isEqualTo("control-plane listening on http://127.0.0.1:" + cp.port()
                + System.lineSeparator());
    }

    @Test
    void healthReportsDatabaseOkWithoutAuth() {
        Reply r = cp.get("/health", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().toString()).isEqualTo("{\"status\":\"ok\",\"db\":\"ok\"}");
    }

    @Test
    void everyV1RouteNeedsAToken() {
        for (String path : new String[]{"/v1/hosts", "/v1/sessions", "/v1/approvals", "/v1/commands/x"}) {
            Reply r = cp.get(path, null);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.body().at("/error/code").asText()).isEqualTo("unauthorized");
        }
        assertThat(cp.get("/v1/sessions", "not-a-jwt").status()).isEqualTo(401);
    }

    @Test
    void forgedOrExpiredTokensAreRefused() {
        Tokens other = new Tokens("another-secret-another-secret-0123456789".getBytes(), java.time.Clock.systemUTC());
        assertThat(cp.get("/v1/sessions", other.issue("eve", Role.ADMIN, java.time.Duration.ofHours(1)))
                .status()).isEqualTo(401);
        String expired = cp.controlPlane().tokens().issue("alice", Role.ADMIN, java.time.Duration.ofSeconds(-5));
        assertThat(cp.get("/v1/sessions", expired).status()).isEqualTo(401);
    }

    @Test
    void onlyAdminsManageHosts() {
        assertThat(cp.post("/v1/hosts", cp.viewer(), "{\"name\":\"v1\"}").status()).isEqualTo(403);
        Reply r = cp.post("/v1/hosts", cp.operator(), "{\"name\":\"o1\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("forbidden");
        assertThat(cp.delete("/v1/hosts/x", cp.operator()).status()).isEqualTo(403);
        assertThat(cp.post("/v1/hosts/x/token", cp.viewer(), null).status()).isEqualTo(403);
        assertThat(cp.get("/v1/hosts", cp.viewer()).status()).isEqualTo(200);
    }

    @Test
    void viewersCannotIssueCommandsOrDecide() {
        assertThat(cp.post("/v1/sessions/s/commands", cp.viewer(), "{\"type\":\"interrupt\"}").status())
                .isEqualTo(403);
        assertThat(cp.post("/v1/approvals/a/decision", cp.viewer(), "{\"behavior\":\"allow\"}").status())
                .isEqualTo(403);
    }

    @Test
    void createdHostTokenIsShownOnceAndStoredOnlyAsHash() {
        ObjectNode created = cp.createHost("laptop");
        String token = created.get("token").asText();
        String id = created.at("/host/id").asText();
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);
        assertThat(created.get("host").has("token_hash")).isFalse();
        assertThat(cp.string("SELECT token_hash FROM hosts WHERE id = '" + id + "'"))
                .isEqualTo(Secrets.sha256Hex(token));
        assertThat(cp.count("SELECT count(*) FROM hosts WHERE token_hash = '" + token + "'")).isZero();
        String list = cp.get("/v1/hosts", cp.admin()).body().toString();
        assertThat(list).contains("laptop").doesNotContain(token).doesNotContain("token_hash");
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'host.create' AND target = '"
                + id + "' AND actor = 'alice'")).isEqualTo(1);
    }

    @Test
    void duplicateHostNameConflicts() {
        cp.createHost("twice");
        Reply r = cp.post("/v1/hosts", cp.admin(), "{\"name\":\"twice\"}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("conflict");
    }

    @Test
    void badBodiesAreRefusedWithTheRightStatus() {
        assertThat(cp.post("/v1/hosts", cp.admin(), "{not json").status()).isEqualTo(400);
        assertThat(cp.post("/v1/hosts", cp.admin(), "{\"name\":\"../x\"}").status()).isEqualTo(400);
        String huge = "{\"name\":\"" + "x".repeat(300_000) + "\"}";
        Reply r = cp.post("/v1/hosts", cp.admin(), huge);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("too_large");
    }

    @Test
    void commandsAreValidatedBeforeAnythingIsStored() {
        long before = cp.count("SELECT count(*) FROM commands");
        Reply bad = cp.post("/v1/sessions/s1/commands", cp.operator(),
                "{\"type\":\"send_keys\",\"keys\":[\"rm -rf /\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(cp.post("/v1/sessions/s1/commands", cp.operator(), "{\"type\":\"nope\"}").status())
                .isEqualTo(400);
        Reply unknown = cp.post("/v1/sessions/nope/commands", cp.operator(),
                "{\"type\":\"interrupt\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(cp.post("/v1/hosts/nope/commands", cp.operator(), "{\"type\":\"adopt_pane\",\"pane_id\":\"%3\"}")
                .status()).isEqualTo(404);
        assertThat(cp.count("SELECT count(*) FROM commands")).isEqualTo(before);
    }

    @Test
    void unknownSessionsCommandsApprovalsAndHostsAre404() {
        assertThat(cp.get("/v1/sessions/missing", cp.viewer()).status()).isEqualTo(404);
        assertThat(cp.get("/v1/commands/missing", cp.viewer()).status()).isEqualTo(404);
        assertThat(cp.get("/v1/approvals/missing", cp.viewer()).status()).isEqualTo(404);
        assertThat(cp.delete("/v1/hosts/missing", cp.admin()).status()).isEqualTo(404);
    }

    @Test
    void sessionListAnswersItemsAndNextAndRefusesAnUnknownStatus() {
        Reply r = cp.get("/v1/sessions?status=RUNNING&provider=claude&needs_attention=false&q=x",
                cp.viewer());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().has("items")).isTrue();
        assertThat(r.body().has("next")).isTrue();
        assertThat(cp.get("/v1/sessions?status=BOGUS", cp.viewer()).status()).isEqualTo(400);
    }

    @Test
    void auditLogIsForAdminsOnly() {
        cp.createHost("audited");
        assertThat(cp.get("/v1/audit", cp.operator()).status()).isEqualTo(403);
        Reply r = cp.get("/v1/audit?limit=1000", cp.admin());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("items").toString()).contains("host.create").contains("alice");
    }

    @Test
    void unknownEndpointsAnswerJson404AndRootServesTheDashboard() {
        Reply r = cp.get("/v1/nothing-here", cp.admin());
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("not_found");
        var res = cp.rest().getText("/");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("Agent Commander");
    }
}
