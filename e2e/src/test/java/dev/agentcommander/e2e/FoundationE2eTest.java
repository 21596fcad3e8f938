package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walking skeleton, end to end: a tmux pane → agentd → control plane → Postgres → REST. */
class FoundationE2eTest {
    @TempDir
    static Path dir;
    static Stack stack;
    static PrivateTmux tmux;
    static Path bin;
    static Path repo;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        bin = Fixtures.standinBin(dir);
        repo = Fixtures.gitRepo(dir.resolve("repo"), "feature/e2e");
        tmux = stack.tmux(Map.of("PATH", bin + ":" + System.getenv("PATH")));
        stack.startAgentd();
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    static Optional<JsonNode> sessionOfPane(String paneId) {
        return Optional.ofNullable(FoundationLookup.session(stack, paneId));
    }

    static JsonNode awaitSession(String paneId) throws InterruptedException {
        return Await.value("session of pane " + paneId, Duration.ofSeconds(20),
                () -> sessionOfPane(paneId).orElse(null));
    }

    @Test
    void paneRunningClaudeAppearsWithProviderCwdAndBranch() throws Exception {
        String pane = tmux.window(repo, bin.resolve("claude").toString());
        JsonNode s = awaitSession(pane);
        assertThat(s.get("provider").asText()).isEqualTo("claude");
        assertThat(s.get("cwd").asText()).isEqualTo(repo.toString());
        assertThat(s.path("git").path("branch").asText()).isEqualTo("feature/e2e");
        assertThat(s.get("host_id").asText()).isEqualTo(stack.hostId());
        Rest.Reply one = stack.rest(Role.VIEWER).get("/v1/sessions/" + s.get("session_id").asText());
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body().get("provider").asText()).isEqualTo("claude");
        Rest.Reply filtered = stack.rest(Role.VIEWER).get("/v1/sessions?provider=claude&host_id=" + stack.hostId());
        assertThat(filtered.body().get("items")).anySatisfy(
                i -> assertThat(i.get("session_id").asText()).isEqualTo(s.get("session_id").asText()));
        assertThat(stack.rest(Role.VIEWER).get("/v1/sessions?provider=codex").body().get("items")).noneSatisfy(
                i -> assertThat(i.get("session_id").asText()).isEqualTo(s.get("session_id").asText()));
    }

    @Test
    void killedPaneDisappears() throws Exception {
        String pane = tmux.window(dir, "sleep", "1000");
        String id = awaitSession(pane).get("session_id").asText();
        tmux.run("kill-pane", "-t", pane);
        Await.value("session gone", Duration.ofSeconds(20), () -> sessionOfPane(pane).isEmpty());
        assertThat(stack.rest(Role.VIEWER).get("/v1/sessions/" + id).status()).isEqualTo(404);
    }

    @Test
    void sessionIdSurvivesAgentdRestart() throws Exception {
        String pane = tmux.window(dir, "sleep", "1000");
        String id = awaitSession(pane).get("session_id").asText();
        assertThat(tmux.run("show-options", "-p", "-v", "-t", pane, "@ac_session_id").trim()).isEqualTo(id);
        stack.agentd().kill9();
        stack.startAgentd();
        tmux.run("rename-window", "-t", pane, "renamed-after-restart");
        JsonNode after = Await.value("renamed session", Duration.ofSeconds(30),
                () -> sessionOfPane(pane).filter(s -> s.get("name").asText().contains("renamed-after-restart"))
                        .orElse(null));
        assertThat(after.get("session_id").asText()).isEqualTo(id);
    }

    /** A hand-driven agent connection, for sending exactly the frames a test wants (bad ones included). */
    private static WsClient agentSocket(String token) {
        return WsClient.connect(stack.baseUrl().replace("http://", "ws://") + "/v1/agent", token);
    }

    @Test
    void wrongOrMissingHostTokenIsRefusedWithReasonAndWritesNothing() throws Exception {
        long hosts = stack.queryLong("select count(*) from hosts");
        for (String token : new String[] {"not-a-real-token", null}) {
            try (WsClient a = agentSocket(token)) {
                try {
                    a.send("{\"v\":1,\"type\":\"agent.hello\",\"payload\":{\"host_name\":\"intruder\",\"protocol\":1}}");
                    a.send("{\"v\":1,\"type\":\"sessions.upsert\",\"seq\":1,\"payload\":{\"session\":{\"session_id\":\"s_evil\"}}}");
                } catch (Exception closedAlready) {
                    // the server may close before we get to send: that is the point
                }
                WsClient.Close c = a.closed.get(10, TimeUnit.SECONDS);
                assertThat(c.reason()).containsIgnoringCase("unauthorized");
            }
        }
        assertThat(stack.queryLong("select count(*) from hosts")).isEqualTo(hosts);
        assertThat(stack.queryLong("select count(*) from sessions where id = 's_evil'")).isZero();
        assertThat(stack.queryLong("select count(*) from events where session_id = 's_evil'")).isZero();
    }

    @Test
    void malformedFrameIsRefusedAndTheLinkSurvives() throws Exception {
        Rest.Reply host = stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", "raw-host"));
        String token = host.body().get("token").asText();
        try (WsClient a = agentSocket(token)) {
            a.send("{\"v\":1,\"type\":\"agent.hello\",\"payload\":{\"host_name\":\"raw-host\",\"agent_version\":\"t\","
                    + "\"protocol\":1,\"capabilities\":[],\"last_acked_seq\":0}}");
            a.nextOfType("agent.welcome");
            a.send("{this is not json");
            a.next("an error frame saying malformed", Duration.ofSeconds(10),
                    f -> f.path("type").asText().equals("error") && f.at("/payload/code").asText().equals("malformed"));
            a.send("{\"v\":1,\"type\":\"sessions.upsert\",\"seq\":1,\"ts\":\"2026-11-23T10:00:00Z\",\"payload\":"
                    + "{\"session\":{\"session_id\":\"s_raw_1\",\"kind\":\"pane\",\"provider\":\"shell\","
                    + "\"status\":\"IDLE\",\"name\":\"raw\"}}}");
            a.nextOfType("agent.ack");
            assertThat(a.closed).isNotDone();
        }
        assertThat(stack.queryLong("select count(*) from sessions where id = 's_raw_1'")).isEqualTo(1);
    }

    @Test
    void viewerCannotCreateHostsAndNoTokenIsUnauthorized() {
        assertThat(stack.rest(Role.VIEWER).post("/v1/hosts", Map.of("name", "nope")).status()).isEqualTo(403);
        Rest.Reply anon = stack.rest(null).post("/v1/hosts", Map.of("name", "nope"));
        assertThat(anon.status()).isEqualTo(401);
        assertThat(anon.body().path("error").path("code").asText()).isNotEmpty();
        assertThat(stack.rest(null).get("/v1/sessions").status()).isEqualTo(401);
        assertThat(stack.rest(Role.VIEWER).get("/v1/hosts").status()).isEqualTo(200);
    }
}
