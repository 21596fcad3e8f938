package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.auth.Tokens;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestApiTest {
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

    @Test
    void printsTheListeningLineOnce() {
        assertThat(server.stdout).isEqualTo("control-plane listening on http://127.0.0.1:" + server.cp.port()
                + System.lineSeparator());
    }

    @Test
    void healthReportsDatabaseOkWithoutAuth() {
        TestServer.Reply r = server.get("/health", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().toString()).isEqualTo("{\"status\":\"ok\",\"db\":\"ok\"}");
    }

    @Test
    void everyV1RouteNeedsAToken() {
        for (String path : new String[]{"/v1/hosts", "/v1/sessions", "/v1/approvals", "/v1/commands/x"}) {
            TestServer.Reply r = server.get(path, null);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.body().at("/error/code").asText()).isEqualTo("unauthorized");
        }
        assertThat(server.get("/v1/sessions", "not-a-jwt").status()).isEqualTo(401);
    }

    @Test
    void forgedOrExpiredTokensAreRefused() {
        Tokens other = new Tokens("another-secret-another-secret-0123456789".getBytes(), java.time.Clock.systemUTC());
        assertThat(server.get("/v1/sessions", other.issue("eve", Role.ADMIN, java.time.Duration.ofHours(1)))
                .status()).isEqualTo(401);
        String expired = server.cp.tokens().issue("alice", Role.ADMIN, java.time.Duration.ofSeconds(-5));
        assertThat(server.get("/v1/sessions", expired).status()).isEqualTo(401);
    }

    @Test
    void onlyAdminsManageHosts() {
        assertThat(server.post("/v1/hosts", server.viewer, "{\"name\":\"v1\"}").status()).isEqualTo(403);
        TestServer.Reply r = server.post("/v1/hosts", server.operator, "{\"name\":\"o1\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("forbidden");
        assertThat(server.call("DELETE", "/v1/hosts/x", server.operator, null).status()).isEqualTo(403);
        assertThat(server.post("/v1/hosts/x/token", server.viewer, null).status()).isEqualTo(403);
        assertThat(server.get("/v1/hosts", server.viewer).status()).isEqualTo(200);
    }

    @Test
    void viewersCannotIssueCommandsOrDecide() {
        assertThat(server.post("/v1/sessions/s/commands", server.viewer, "{\"type\":\"interrupt\"}").status())
                .isEqualTo(403);
        assertThat(server.post("/v1/approvals/a/decision", server.viewer, "{\"behavior\":\"allow\"}").status())
                .isEqualTo(403);
    }

    @Test
    void createdHostTokenIsShownOnceAndStoredOnlyAsHash() {
        ObjectNode created = server.createHost("laptop");
        String token = created.get("token").asText();
        String id = created.at("/host/id").asText();
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);
        assertThat(created.get("host").has("token_hash")).isFalse();
        assertThat(server.string("SELECT token_hash FROM hosts WHERE id = '" + id + "'"))
                .isEqualTo(Secrets.sha256Hex(token));
        assertThat(server.count("SELECT count(*) FROM hosts WHERE token_hash = '" + token + "'")).isZero();
        String list = server.get("/v1/hosts", server.admin).body().toString();
        assertThat(list).contains("laptop").doesNotContain(token).doesNotContain("token_hash");
        assertThat(server.count("SELECT count(*) FROM audit_log WHERE action = 'host.create' AND target = '"
                + id + "' AND actor = 'alice'")).isEqualTo(1);
    }

    @Test
    void duplicateHostNameConflicts() {
        server.createHost("twice");
        TestServer.Reply r = server.post("/v1/hosts", server.admin, "{\"name\":\"twice\"}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("conflict");
    }

    @Test
    void badBodiesAreRefusedWithTheRightStatus() {
        assertThat(server.post("/v1/hosts", server.admin, "{not json").status()).isEqualTo(400);
        assertThat(server.post("/v1/hosts", server.admin, "{\"name\":\"../x\"}").status()).isEqualTo(400);
        String huge = "{\"name\":\"" + "x".repeat(300_000) + "\"}";
        TestServer.Reply r = server.post("/v1/hosts", server.admin, huge);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("too_large");
    }

    @Test
    void commandsAreValidatedBeforeAnythingIsStored() {
        long before = server.count("SELECT count(*) FROM commands");
        TestServer.Reply bad = server.post("/v1/sessions/s1/commands", server.operator,
                "{\"type\":\"send_keys\",\"keys\":[\"rm -rf /\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(server.post("/v1/sessions/s1/commands", server.operator, "{\"type\":\"nope\"}").status())
                .isEqualTo(400);
        TestServer.Reply unknown = server.post("/v1/sessions/nope/commands", server.operator,
                "{\"type\":\"interrupt\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(server.post("/v1/hosts/nope/commands", server.operator, "{\"type\":\"adopt_pane\",\"pane_id\":\"%3\"}")
                .status()).isEqualTo(404);
        assertThat(server.count("SELECT count(*) FROM commands")).isEqualTo(before);
    }

    @Test
    void unknownThingsAre404() {
        assertThat(server.get("/v1/sessions/missing", server.viewer).status()).isEqualTo(404);
        assertThat(server.get("/v1/commands/missing", server.viewer).status()).isEqualTo(404);
        assertThat(server.get("/v1/approvals/missing", server.viewer).status()).isEqualTo(404);
        assertThat(server.call("DELETE", "/v1/hosts/missing", server.admin, null).status()).isEqualTo(404);
    }

    @Test
    void listsAnswerItemsAndNext() {
        TestServer.Reply r = server.get("/v1/sessions?status=RUNNING&provider=claude&needs_attention=false&q=x",
                server.viewer);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().has("items")).isTrue();
        assertThat(r.body().has("next")).isTrue();
        assertThat(server.get("/v1/sessions?status=BOGUS", server.viewer).status()).isEqualTo(400);
    }

    @Test
    void auditLogIsForAdminsOnly() {
        server.createHost("audited");
        assertThat(server.get("/v1/audit", server.operator).status()).isEqualTo(403);
        TestServer.Reply r = server.get("/v1/audit?limit=1000", server.admin);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("items").toString()).contains("host.create").contains("alice");
    }

    @Test
    void unknownEndpointsAnswerJson404AndRootServesTheDashboard() throws Exception {
        TestServer.Reply r = server.get("/v1/nothing-here", server.admin);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("not_found");
        var res = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + "/"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("Agent Commander");
    }
}
