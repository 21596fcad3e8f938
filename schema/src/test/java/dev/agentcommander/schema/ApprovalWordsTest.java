package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Approval outcomes and decision behaviours: typed on both sides, lenient on the wire, never an allow by accident. */
class ApprovalWordsTest {
    private static String decision(String behaviorJson) {
        return "{\"v\":1,\"type\":\"approval.decision\",\"ts\":\"2026-11-22T10:00:00Z\",\"payload\":{"
                + "\"approval_id\":\"ap_1\"" + (behaviorJson == null ? "" : ",\"behavior\":" + behaviorJson) + "}}";
    }

    private static String resolved(String outcomeJson) {
        return "{\"v\":1,\"type\":\"approval.resolved\",\"seq\":3,\"ts\":\"2026-11-22T10:00:00Z\",\"payload\":{"
                + "\"approval_id\":\"ap_1\"" + (outcomeJson == null ? "" : ",\"outcome\":" + outcomeJson) + "}}";
    }

    private static ApprovalBehavior behaviorOf(String json) {
        return ((ServerMessage.ApprovalDecision) Codec.decodeServer(decision(json)).message()).behavior();
    }

    private static ApprovalOutcome outcomeOf(String json) {
        return ((AgentMessage.ApprovalResolved) Codec.decodeAgent(resolved(json)).message()).outcome();
    }

    @Test
    void knownWordsDecodeToTheirConstants() {
        assertThat(behaviorOf("\"allow\"")).isEqualTo(ApprovalBehavior.ALLOW);
        assertThat(behaviorOf("\"deny\"")).isEqualTo(ApprovalBehavior.DENY);
        assertThat(outcomeOf("\"allowed\"")).isEqualTo(ApprovalOutcome.ALLOWED);
        assertThat(outcomeOf("\"denied\"")).isEqualTo(ApprovalOutcome.DENIED);
        assertThat(outcomeOf("\"expired\"")).isEqualTo(ApprovalOutcome.EXPIRED);
        assertThat(outcomeOf("\"cancelled\"")).isEqualTo(ApprovalOutcome.CANCELLED);
    }

    @Test
    void unknownWordsDecodeAsUnknownWithoutFailingTheFrame() {
        assertThat(behaviorOf("\"allow_always\"")).isEqualTo(ApprovalBehavior.UNKNOWN);
        assertThat(behaviorOf("\"ALLOW\"")).isEqualTo(ApprovalBehavior.UNKNOWN);
        assertThat(behaviorOf("\"unknown\"")).isEqualTo(ApprovalBehavior.UNKNOWN);
        assertThat(outcomeOf("\"withdrawn\"")).isEqualTo(ApprovalOutcome.UNKNOWN);
    }

    @Test
    void aNumberOrAnObjectIsNeverTakenForTheFirstConstant() {
        // Jackson's default reads 0 as the enum's first constant: ALLOW
        assertThat(behaviorOf("0")).isEqualTo(ApprovalBehavior.UNKNOWN);
        assertThat(behaviorOf("\"0\"")).isEqualTo(ApprovalBehavior.UNKNOWN);
        assertThat(behaviorOf("true")).isEqualTo(ApprovalBehavior.UNKNOWN);
        assertThat(behaviorOf("{\"allow\":true}")).isEqualTo(ApprovalBehavior.UNKNOWN);
        assertThat(outcomeOf("0")).isEqualTo(ApprovalOutcome.UNKNOWN);
    }

    @Test
    void aMissingWordIsRefusedAsRequired() {
        assertThatThrownBy(() -> Codec.decodeServer(decision(null))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("behavior is required");
        assertThatThrownBy(() -> Codec.decodeServer(decision("null"))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("behavior is required");
        assertThatThrownBy(() -> Codec.decodeAgent(resolved(null))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("outcome is required");
    }

    @Test
    void encodesTheWireWords() {
        String out = Codec.encodeServer(new ServerMessage.ApprovalDecision("ap_1", ApprovalBehavior.DENY, "no", null,
                null), java.time.Instant.EPOCH);
        assertThat(out).contains("\"behavior\":\"deny\"");
        assertThat(Codec.encodeAgent(new AgentMessage.ApprovalResolved("ap_1", ApprovalOutcome.CANCELLED), 3L,
                java.time.Instant.EPOCH)).contains("\"outcome\":\"cancelled\"");
    }

    @Test
    void onlyAnAllowBecomesAllowedAndUnknownIsNoDecision() {
        assertThat(ApprovalBehavior.ALLOW.outcome()).isEqualTo(ApprovalOutcome.ALLOWED);
        assertThat(ApprovalBehavior.DENY.outcome()).isEqualTo(ApprovalOutcome.DENIED);
        assertThat(ApprovalBehavior.UNKNOWN.outcome()).isEqualTo(ApprovalOutcome.UNKNOWN);
        assertThat(ApprovalOutcome.UNKNOWN.decided()).isFalse();
        assertThat(ApprovalBehavior.fromWire(null)).isEqualTo(ApprovalBehavior.UNKNOWN);
    }

    @Test
    void theJsonSchemaListsOnlyTheWordsThatAreSent() {
        String schemas = JsonSchemas.all().toString();
        assertThat(schemas).contains("[\"allow\",\"deny\"]").contains("[\"allowed\",\"denied\",\"expired\",\"cancelled\"]")
                .doesNotContain("\"unknown\"");
    }
}
