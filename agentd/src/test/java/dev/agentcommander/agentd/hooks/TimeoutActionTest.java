package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.approvals.TimeoutAction;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code approvals.timeout_action} through the real hook script and socket: what Claude reads at expiry. */
class TimeoutActionTest {
    final RecordingOutbound outbound = new RecordingOutbound();
    final FakeSessions directory = new FakeSessions();
    @TempDir
    Path tmp;
    ApprovalBroker broker;
    HookServer server;

    private HookScript.Running ask(TimeoutAction action) throws Exception {
        directory.add("%5", "s-1");
        broker = new ApprovalBroker(outbound, new RecordingStatus(), null, Clock.systemUTC(), ApprovalMode.HOOK,
                Duration.ofSeconds(1), action, 4).start();
        server = new HookServer(HookServer.Settings.of(tmp.resolve("hooks.sock")).withHeartbeat(Duration.ofMillis(100))
                .withPaneWait(Duration.ZERO), outbound, directory, new RecordingStatus(), broker);
        server.start();
        return HookScript.start(server.socketPath().toString(), "%5",
                HookApprovalRoundTripTest.EDIT_REQUEST.getBytes());
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

    @Test
    void timeoutActionDenyAnswersDenyWithTheMessageExpiredAtExpiry() throws Exception {
        HookScript.Running hook = ask(TimeoutAction.DENY);
        String id = outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true).approvalId();
        HookScript.Result r = hook.result();
        assertThat(r.exit()).isZero();
        JsonNode decision = Json.mapper().readTree(r.stdout()).path("hookSpecificOutput").path("decision");
        assertThat(decision.path("behavior").asText()).isEqualTo("deny");
        assertThat(decision.path("message").asText()).isEqualTo("expired");
        assertThat(decision.has("updatedInput")).isFalse();
        AgentMessage.ApprovalResolved resolved = outbound.awaitOne(AgentMessage.ApprovalResolved.class,
                x -> x.approvalId().equals(id));
        assertThat(resolved.outcome()).as("nobody decided: the request expired").isEqualTo(ApprovalOutcome.EXPIRED);
        // a decision arriving after expiry changes nothing
        broker.onDecision(new ServerMessage.ApprovalDecision(id, ApprovalBehavior.ALLOW, null, null, null));
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).hasSize(1);
    }

    @Test
    void timeoutActionFallbackAnswersNothingSoClaudeShowsItsPrompt() throws Exception {
        HookScript.Running hook = ask(TimeoutAction.FALLBACK);
        String id = outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true).approvalId();
        HookScript.Result r = hook.result();
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(outbound.awaitOne(AgentMessage.ApprovalResolved.class, x -> x.approvalId().equals(id)).outcome())
                .isEqualTo(ApprovalOutcome.EXPIRED);
    }
}
