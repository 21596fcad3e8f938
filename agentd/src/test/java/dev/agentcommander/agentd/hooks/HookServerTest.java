package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The receiver's HTTP contract: what is stored, what is refused, and when it answers. */
class HookServerTest {
    final RecordingOutbound outbound = new RecordingOutbound();
    final RecordingStatus status = new RecordingStatus();
    final FakeSessions directory = new FakeSessions();
    final HttpClient http = HttpClient.newHttpClient();
    ApprovalBroker broker;
    HookServer server;
    URI base;

    @BeforeEach
    void start() throws Exception {
        directory.add("%3", "s-3");
        broker = new ApprovalBroker(outbound, status, null, Clock.systemUTC(), ApprovalMode.HOOK,
                Duration.ofSeconds(600), 8).start();
        server = new HookServer(ListenAddress.parse("127.0.0.1:0"), outbound, directory, status, broker, Duration.ofMillis(100));
        base = URI.create("http://127.0.0.1:" + server.start().getPort());
    }

    @AfterEach
    void stop() {
        server.close();
        broker.close();
    }

    HttpResponse<String> post(String pathAndQuery, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void appendsTheEventBeforeAnswering200() throws Exception {
        HttpResponse<String> r = post("/hooks/claude?pane=%253", HttpRequest.BodyPublishers.ofString(
                "{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(outbound.all()).singleElement().isInstanceOfSatisfying(AgentMessage.EventsAppend.class, e -> {
            assertThat(e.eventType()).isEqualTo("hook.PreToolUse");
            assertThat(e.sessionId()).isEqualTo("s-3");
            assertThat(e.data().path("tool_input").path("command").asText()).isEqualTo("ls");
            assertThat(e.data().path("pane_id").asText()).isEqualTo("%3");
        });
    }

    @Test
    void oversizedBodyIs413AndNothingIsStored() throws Exception {
        String big = "{\"hook_event_name\":\"PreToolUse\",\"x\":\"" + "a".repeat(HookServer.MAX_BODY_BYTES) + "\"}";
        HttpResponse<String> r = post("/hooks/claude?pane=%253", HttpRequest.BodyPublishers.ofString(big));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("too_large");
        assertThat(outbound.all()).isEmpty();
        assertThat(status.calls()).isEmpty();
    }

    @Test
    void malformedOrIncompleteJsonIs400AndNothingIsStored() throws Exception {
        for (String bad : new String[] {"{not json", "[1,2]", "\"str\"", "{}", "{\"hook_event_name\":42}",
                "{\"hook_event_name\":\"a b\"}", ""}) {
            HttpResponse<String> r = post("/hooks/claude?pane=%253", HttpRequest.BodyPublishers.ofString(bad));
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).contains("malformed");
        }
        assertThat(outbound.all()).isEmpty();
        assertThat(status.calls()).isEmpty();
    }

    @Test
    void onlyPostOnTheHookPathIsServed() throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(base.resolve("/hooks/claude")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> other = post("/hooks/claudeX", HttpRequest.BodyPublishers.ofString(
                "{\"hook_event_name\":\"Stop\"}"));
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(outbound.all()).isEmpty();
    }

    @Test
    void aPaneIdThatIsNotATmuxPaneIsDropped() throws Exception {
        post("/hooks/claude?pane=-t%20victim", HttpRequest.BodyPublishers.ofString("{\"hook_event_name\":\"Stop\"}"));
        AgentMessage.EventsAppend e = outbound.of(AgentMessage.EventsAppend.class).get(0);
        assertThat(e.sessionId()).isNull();
        assertThat(e.data().get("pane_id").isNull()).isTrue();
        assertThat(status.calls()).isEmpty();
    }

    @Test
    void outboxFailureIs503SoTheHookPrintsNothing() throws Exception {
        HookServer failing = new HookServer(ListenAddress.parse("127.0.0.1:0"), m -> {
            throw new IllegalStateException("outbox full");
        }, directory, status, broker);
        int port = failing.start().getPort();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/hooks/claude?pane=%253"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"hook_event_name\":\"Stop\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
        } finally {
            failing.close();
        }
    }

    @Test
    void refusesToListenBeyondLoopback() {
        assertThatThrownBy(() -> ListenAddress.parse("0.0.0.0:7717")).hasMessageContaining("hooks.listen")
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> ListenAddress.parse("7717")).hasMessageContaining("hooks.listen");
        assertThatThrownBy(() -> ListenAddress.parse("127.0.0.1:99999")).hasMessageContaining("hooks.listen");
        assertThat(ListenAddress.parse("[::1]:7717").socketAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(ListenAddress.parse("localhost:0").socketAddress().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void scriptReachesAnIpv6LoopbackListener() throws Exception {
        HookServer v6 = new HookServer(ListenAddress.parse("[::1]:0"), outbound, directory, status, broker);
        int port;
        try {
            port = v6.start().getPort();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try {
            HookScript.Result r = HookScript.run("[::1]:" + port, "%3", "{\"hook_event_name\":\"Stop\"}");
            assertThat(r.exit()).isZero();
            assertThat(outbound.of(AgentMessage.EventsAppend.class)).singleElement()
                    .satisfies(e -> assertThat(e.sessionId()).isEqualTo("s-3"));
        } finally {
            v6.close();
        }
    }

    @Test
    void theJarCarriesTheOneHookScriptTheLauncherRuns() throws Exception {
        byte[] resource;
        try (var in = HookServer.class.getResourceAsStream("agentd-hook")) {
            assertThat(in).isNotNull();
            resource = in.readAllBytes();
        }
        assertThat(resource).isEqualTo(Files.readAllBytes(Path.of("src/main/sh/agentd-hook")));
        assertThat(Files.isExecutable(Path.of("src/main/sh/agentd-hook"))).isTrue();
    }
}
