package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real hook script → the receiver's Unix socket → broker → decision → Claude-compatible answer on stdout. */
class HookApprovalRoundTripTest {
    static final String EDIT_REQUEST = """
            {"session_id":"c-1","transcript_path":"/tmp/t.jsonl","cwd":"/src/app","permission_mode":"default",
             "hook_event_name":"PermissionRequest","tool_name":"Edit",
             "tool_input":{"file_path":"/src/app/a.txt","old_string":"foo","new_string":"bar"},
             "permission_suggestions":[{"type":"addRules","rules":[{"toolName":"Edit"}],"behavior":"allow",
                                        "destination":"localSettings"}]}""";

    final RecordingOutbound outbound = new RecordingOutbound();
    final RecordingStatus status = new RecordingStatus();
    final FakeSessions directory = new FakeSessions();
    @TempDir
    Path tmp;
    ApprovalBroker broker;
    HookServer server;
    String listen;

    void start(Duration timeout) throws Exception {
        directory.add("%5", "s-1");
        broker = new ApprovalBroker(outbound, status, null, Clock.systemUTC(), ApprovalMode.HOOK, timeout, 4)
                .start();
        server = new HookServer(HookServer.Settings.of(tmp.resolve("hooks.sock")).withHeartbeat(Duration.ofMillis(100))
                .withPaneWait(Duration.ZERO), outbound, directory, status, broker);
        server.start();
        listen = server.socketPath().toString();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    HookScript.Running ask() throws Exception {
        return HookScript.start(listen, "%5", EDIT_REQUEST.getBytes());
    }

    AgentMessage.ApprovalRequested requested() {
        return outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true);
    }

    AgentMessage.ApprovalResolved resolved(String id) {
        return outbound.awaitOne(AgentMessage.ApprovalResolved.class, r -> r.approvalId().equals(id));
    }

    static ServerMessage.ApprovalDecision decision(String id, String behavior, String message, String input,
                                                   String perms) throws Exception {
        return new ServerMessage.ApprovalDecision(id, ApprovalBehavior.fromWire(behavior), message,
                input == null ? null : Json.mapper().readTree(input),
                perms == null ? null : Json.mapper().readTree(perms));
    }

    @Test
    void allowReachesClaudeAsExactJsonAndIsResolvedAllowed() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        AgentMessage.ApprovalRequested req = requested();
        assertThat(req.approvalId()).startsWith("ap_");
        assertThat(req.sessionId()).isEqualTo("s-1");
        assertThat(req.toolName()).isEqualTo("Edit");
        assertThat(req.cwd()).isEqualTo("/src/app");
        assertThat(req.review().path("old_string").asText()).isEqualTo("foo");
        assertThat(req.review().path("new_string").asText()).isEqualTo("bar");
        assertThat(req.review().path("file_path").asText()).isEqualTo("/src/app/a.txt");
        assertThat(req.permissionSuggestions().isArray()).isTrue();
        assertThat(req.expiresAt()).endsWith("Z");
        List<AgentMessage> before = outbound.all();
        assertThat(before.get(0)).isInstanceOfSatisfying(AgentMessage.EventsAppend.class, e -> {
            assertThat(e.eventType()).isEqualTo("hook.PermissionRequest");
            assertThat(e.sessionId()).isEqualTo("s-1");
            assertThat(e.data().path("pane_id").asText()).isEqualTo("%5");
        });

        broker.onDecision(decision(req.approvalId(), "allow", null, null, null));

        HookScript.Result r = hook.result();
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEqualTo(
                "{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\",\"decision\":{\"behavior\":\"allow\"}}}\n");
        assertThat(resolved(req.approvalId()).outcome()).isEqualTo(ApprovalOutcome.ALLOWED);
        // the status detector hears of it right after approval.resolved is queued
        Await.until("ApprovalResolved told to the status detector", Duration.ofSeconds(5),
                () -> status.calls().stream().anyMatch(c -> c.eventName().equals("ApprovalResolved")));
        assertThat(status.calls()).anySatisfy(c -> {
            assertThat(c.eventName()).isEqualTo("ApprovalResolved");
            assertThat(c.input().path("outcome").asText()).isEqualTo("allowed");
        });
        assertThat(status.calls()).anySatisfy(c -> assertThat(c.eventName()).isEqualTo("PermissionRequest"));
    }

    @Test
    void allowWithEditedInputEchoesUpdatedInput() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        String id = requested().approvalId();
        String edited = "{\"file_path\":\"/src/app/a.txt\",\"old_string\":\"foo\",\"new_string\":\"baz\"}";
        broker.onDecision(decision(id, "allow", null, edited, null));
        JsonNode out = Json.mapper().readTree(hook.result().stdout());
        JsonNode d = out.path("hookSpecificOutput").path("decision");
        assertThat(d.path("behavior").asText()).isEqualTo("allow");
        assertThat(d.path("updatedInput")).isEqualTo(Json.mapper().readTree(edited));
        assertThat(resolved(id).outcome()).isEqualTo(ApprovalOutcome.ALLOWED);
    }

    @Test
    void denyCarriesTheReviewersMessage() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        String id = requested().approvalId();
        broker.onDecision(decision(id, "deny", "use the other file", null, null));
        JsonNode d = Json.mapper().readTree(hook.result().stdout()).path("hookSpecificOutput").path("decision");
        assertThat(d.path("behavior").asText()).isEqualTo("deny");
        assertThat(d.path("message").asText()).isEqualTo("use the other file");
        assertThat(d.path("interrupt").isBoolean()).isTrue();
        assertThat(d.path("interrupt").asBoolean()).isFalse();
        assertThat(resolved(id).outcome()).isEqualTo(ApprovalOutcome.DENIED);
    }

    @Test
    void alwaysAllowEchoesOneOfTheSuggestions() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        AgentMessage.ApprovalRequested req = requested();
        String perms = "[" + req.permissionSuggestions().get(0) + "]";
        broker.onDecision(decision(req.approvalId(), "allow", null, null, perms));
        JsonNode d = Json.mapper().readTree(hook.result().stdout()).path("hookSpecificOutput").path("decision");
        assertThat(d.path("updatedPermissions")).isEqualTo(Json.mapper().readTree(perms));
        assertThat(resolved(req.approvalId()).outcome()).isEqualTo(ApprovalOutcome.ALLOWED);
    }

    @Test
    void refusesInvalidDecisionsAndKeepsWaiting() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        String id = requested().approvalId();
        broker.onDecision(decision(id, "allow", null, "[1,2]", null));
        broker.onDecision(decision(id, "allow", null, null, "[{\"type\":\"addRules\",\"rules\":[{\"toolName\":\"Bash\"}]}]"));
        outbound.awaitOne(AgentMessage.EventsAppend.class, e -> e.eventType().equals("approval.decision_refused"));
        assertThat(hook.result.isDone()).isFalse();
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).isEmpty();
        broker.onDecision(decision(id, "deny", null, null, null));
        assertThat(hook.result().stdout()).contains("\"behavior\":\"deny\"");
    }

    @Test
    void resentDecisionIsHarmlessAndUnknownIdsExpireOnce() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        String id = requested().approvalId();
        ServerMessage.ApprovalDecision allow = decision(id, "allow", null, null, null);
        broker.onDecision(allow);
        broker.onDecision(allow);
        assertThat(hook.result().stdout()).contains("\"allow\"");
        resolved(id);
        broker.onDecision(allow);
        broker.onDecision(decision(id, "deny", null, null, null));
        broker.onDecision(decision("ap_gone", "allow", null, null, null));
        broker.onDecision(decision("ap_gone", "allow", null, null, null));
        List<AgentMessage.ApprovalResolved> all = outbound.of(AgentMessage.ApprovalResolved.class);
        assertThat(all).extracting(AgentMessage.ApprovalResolved::approvalId, AgentMessage.ApprovalResolved::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(id, ApprovalOutcome.ALLOWED),
                        org.assertj.core.groups.Tuple.tuple("ap_gone", ApprovalOutcome.EXPIRED));
    }

    @Test
    void expiryAnswersEmptySoClaudeShowsItsOwnPrompt() throws Exception {
        start(Duration.ofSeconds(1));
        HookScript.Running hook = ask();
        String id = requested().approvalId();
        HookScript.Result r = hook.result();
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(resolved(id).outcome()).isEqualTo(ApprovalOutcome.EXPIRED);
        broker.onDecision(decision(id, "allow", null, null, null));
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).hasSize(1);
    }

    @Test
    void stoppingAgentdWhileAHookWaitsNeverApproves() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        String id = requested().approvalId();
        server.close();
        server = null;
        HookScript.Result r = hook.result();
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(resolved(id).outcome()).isEqualTo(ApprovalOutcome.CANCELLED);
        broker.onDecision(decision(id, "allow", null, null, null));
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).extracting(AgentMessage.ApprovalResolved::outcome)
                .containsExactly(ApprovalOutcome.CANCELLED);
    }

    @Test
    void hookKilledWhileWaitingCancelsTheApproval() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        String id = requested().approvalId();
        hook.kill();
        assertThat(resolved(id).outcome()).isEqualTo(ApprovalOutcome.CANCELLED);
        assertThat(broker.waitingCount()).isZero();
    }

    @Test
    void receiverDownMeansNoOutputAndExitZeroQuickly() throws Exception {
        start(Duration.ofSeconds(600));
        server.close(); // the socket file goes with it
        server = null;
        HookScript.Result r = HookScript.run(listen, "%5", EDIT_REQUEST);
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.millis()).isLessThan(3000);
        int freePort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        HookScript.Result tcp = HookScript.run("127.0.0.1:" + freePort, "%5", EDIT_REQUEST);
        assertThat(tcp.exit()).isZero();
        assertThat(tcp.stdout()).isEmpty();
        assertThat(outbound.all()).isEmpty();
    }

    @Test
    void aStaleSocketFileLeftByADeadAgentdAnswersNothing() throws Exception {
        Path stale = tmp.resolve("stale.sock");
        java.nio.channels.ServerSocketChannel dead = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX);
        dead.bind(java.net.UnixDomainSocketAddress.of(stale));
        dead.close(); // the file stays, nobody listens: curl gets "connection refused"
        HookScript.Result r = HookScript.run(stale.toString(), "%5", EDIT_REQUEST);
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void nonPermissionEventsReturnAtOnceWithNothingPrinted() throws Exception {
        start(Duration.ofSeconds(600));
        String json = "{\"session_id\":\"c-1\",\"hook_event_name\":\"UserPromptSubmit\",\"prompt\":\"hi\"}";
        HookScript.Result r = HookScript.run(listen, "%5", json);
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        AgentMessage.EventsAppend e = outbound.of(AgentMessage.EventsAppend.class).get(0);
        assertThat(e.eventType()).isEqualTo("hook.UserPromptSubmit");
        assertThat(e.sessionId()).isEqualTo("s-1");
        assertThat(e.data().path("prompt").asText()).isEqualTo("hi");
        assertThat(status.calls()).singleElement().satisfies(c -> assertThat(c.paneId()).isEqualTo("%5"));
        assertThat(directory.pokes()).isEqualTo(1);

        HookScript.Result unknownPane = HookScript.run(listen, "%77", json.replace("UserPromptSubmit", "Stop"));
        assertThat(unknownPane.exit()).isZero();
        assertThat(unknownPane.stdout()).isEmpty();
        assertThat(outbound.of(AgentMessage.EventsAppend.class)).as("a pane agentd does not know: nothing stored")
                .hasSize(1);
        HookScript.Result noPane = HookScript.run(listen, null, EDIT_REQUEST);
        assertThat(noPane.exit()).isZero();
        assertThat(noPane.stdout()).isEmpty();
        assertThat(outbound.all()).hasSize(1);
    }

    @Test
    void permissionRequestPrintsNothingWhenTheRequestCannotBeHeld() throws Exception {
        start(Duration.ofSeconds(600));
        for (int i = 0; i < 4; i++) {
            ask();
        }
        Await.until("four waiters", Duration.ofSeconds(10), () -> broker.waitingCount() == 4);
        HookScript.Result fifth = HookScript.run(listen, "%5", EDIT_REQUEST);
        assertThat(fifth.exit()).isZero();
        assertThat(fifth.stdout()).isEmpty();
        assertThat(outbound.of(AgentMessage.ApprovalRequested.class)).hasSize(4);
    }

    @Test
    void oversizedHookInputIsNotSentByTheScript() throws Exception {
        start(Duration.ofSeconds(600));
        ObjectNode big = (ObjectNode) Json.mapper().readTree(EDIT_REQUEST);
        ((ObjectNode) big.get("tool_input")).put("new_string", "x".repeat(1 << 20));
        HookScript.Result r = HookScript.run(listen, "%5", big.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(outbound.all()).isEmpty();
    }
}
