package dev.agentcommander.agentd.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A decision word this build does not know is refused out loud and never answers the hook as an allow. */
class ApprovalBrokerDecisionTest {
    private final RecordingOutbound outbound = new RecordingOutbound();
    private final ApprovalBroker broker = new ApprovalBroker(outbound, new RecordingStatus(), null, ApprovalMode.HOOK);

    private Approval open() throws Exception {
        return broker.open("%1", "s_1", Json.mapper().readTree("{\"tool_name\":\"Bash\",\"tool_input\":{}}"));
    }

    @Test
    void anUnknownBehaviourIsRefusedAndLeavesTheApprovalToTheNextDecision() throws Exception {
        Approval a = open();
        String id = outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true).approvalId();
        // what a newer control plane might send: decodes (lenient wire) as UNKNOWN
        ServerMessage.ApprovalDecision unknown = (ServerMessage.ApprovalDecision) Codec.decodeServer(
                "{\"v\":1,\"type\":\"approval.decision\",\"payload\":{\"approval_id\":\"" + id
                        + "\",\"behavior\":\"allow_always\"}}").message();
        assertThat(unknown.behavior()).isEqualTo(ApprovalBehavior.UNKNOWN);
        broker.onDecision(unknown);
        assertThat(outbound.of(AgentMessage.EventsAppend.class, e -> e.eventType().equals("approval.decision_refused")))
                .as("the refusal is reported").hasSize(1);
        assertThat(broker.waitingCount()).as("still waiting for a person").isEqualTo(1);

        // the marker: a later deny is the answer the hook gets, so the unknown word answered nothing
        broker.onDecision(new ServerMessage.ApprovalDecision(id, ApprovalBehavior.DENY, "no", null, null));
        String body = new String(a.await(Duration.ofSeconds(5)), StandardCharsets.UTF_8);
        assertThat(body).contains("\"behavior\":\"deny\"").doesNotContain("\"allow\"");
        broker.finish(a, true);
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).extracting(AgentMessage.ApprovalResolved::outcome)
                .containsExactly(ApprovalOutcome.DENIED);
    }

    @Test
    void aDecisionWithoutABehaviourIsRefusedToo() throws Exception {
        Approval a = open();
        String id = outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true).approvalId();
        broker.onDecision(new ServerMessage.ApprovalDecision(id, null, null, null, null));
        assertThat(outbound.of(AgentMessage.EventsAppend.class, e -> e.eventType().equals("approval.decision_refused")))
                .hasSize(1);
        broker.close(); // stopping answers every waiting hook empty: never an approval
        assertThat(a.await(Duration.ofSeconds(5))).isEmpty();
    }
}
