package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every field is bounded at the door: a value Postgres cannot store (an id too long for its index, a time outside
 * timestamptz, a NUL in text) is refused by the codec with an error naming the field, instead of failing a batch
 * in the database every time it is resent.
 */
class ValidationTest {
    private static String frame(String type, String payload) {
        return "{\"v\":1,\"type\":\"" + type + "\",\"seq\":1,\"ts\":\"2026-11-23T10:00:00Z\",\"payload\":" + payload
                + "}";
    }

    private static String upsert(String sessionFields) {
        return frame("sessions.upsert", "{\"session\":{" + sessionFields + "}}");
    }

    private static String sid(String id) {
        return "\"session_id\":\"" + id + "\"";
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(upsert(sid("s" + "x".repeat(3000))), "session.session_id"),
                Arguments.of(upsert(sid("s 1")), "session.session_id"),
                Arguments.of(upsert(sid("../etc")), "session.session_id"),
                Arguments.of(upsert(sid("s_1") + ",\"title\":\"" + "t".repeat(1025) + "\""), "session.title"),
                Arguments.of(upsert(sid("s_1") + ",\"name\":\"a\\u0000b\""), "session.name"),
                Arguments.of(upsert(sid("s_1") + ",\"cwd\":\"/" + "d".repeat(4096) + "\""), "session.cwd"),
                Arguments.of(upsert(sid("s_1") + ",\"git\":{\"branch\":\"" + "b".repeat(1025) + "\"}"),
                        "session.git.branch"),
                Arguments.of(upsert(sid("s_1") + ",\"tmux\":{\"pane_id\":\"%1\\n%2\"}"), "session.tmux.pane_id"),
                Arguments.of(upsert(sid("s_1") + ",\"started_at\":\"+10000-01-01T00:00:00Z\""),
                        "session.started_at"),
                Arguments.of(upsert(sid("s_1") + ",\"last_activity_at\":\"1969-12-31T23:59:59Z\""),
                        "session.last_activity_at"),
                Arguments.of(frame("sessions.removed", "{" + sid("x".repeat(129)) + "}"), "session_id"),
                Arguments.of(frame("snapshot", "{" + sid("s_1") + ",\"data\":\"AA==\"}"), "subscription_id"),
                Arguments.of(frame("snapshot", "{" + sid("s_1") + ",\"subscription_id\":\"cs_1\",\"cols\":100000,"
                        + "\"data\":\"AA==\"}"), "cols"),
                Arguments.of(frame("console.chunk", "{" + sid("s_1") + ",\"data\":\"AA==\"}"), "subscription_id"),
                Arguments.of(frame("console.chunk", "{" + sid("s_1") + ",\"subscription_id\":\"cs_1\",\"offset\":-1,"
                        + "\"data\":\"AA==\"}"), "offset"),
                Arguments.of(frame("events.append", "{" + sid("s_1") + ",\"event_type\":\"bad\\u0000type\"}"),
                        "event_type"),
                Arguments.of(frame("events.append", "{\"event_type\":\"has space\"}"), "event_type"),
                Arguments.of(frame("events.append", "{" + sid("s\\u0000") + ",\"event_type\":\"x\"}"), "session_id"),
                Arguments.of(frame("approval.requested", "{\"approval_id\":\"ap_1\",\"tool_name\":\""
                        + "T".repeat(1025) + "\"}"), "tool_name"),
                Arguments.of(frame("approval.requested", "{\"approval_id\":\"ap_1\",\"tool_name\":\"Bash\","
                        + "\"expires_at\":\"+1000000-01-01T00:00:00Z\"}"), "expires_at"),
                Arguments.of(frame("approval.resolved", "{\"approval_id\":\"ap_1\",\"outcome\":\"ok\\nforged\"}"),
                        "outcome"),
                Arguments.of(frame("commands.result", "{\"command_id\":\"c_1\",\"error\":\""
                        + "e".repeat(16 * 1024 + 1) + "\"}"), "error"),
                Arguments.of("{\"v\":1,\"type\":\"agent.hello\",\"payload\":{\"host_name\":\"" + "h".repeat(257)
                        + "\"}}", "host_name"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void aValueTheDatabaseCouldNotStoreIsRefusedNamingItsField(String text, String field) {
        assertThatThrownBy(() -> Codec.decodeAgent(text)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining(field)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.INVALID);
    }

    @Test
    void valuesAtTheirBoundsAreAccepted() {
        String id = "s_" + "a".repeat(Ids.MAX_LENGTH - 2);
        AgentMessage.SessionsUpsert u = (AgentMessage.SessionsUpsert) Codec.decodeAgent(upsert(sid(id)
                + ",\"title\":\"" + "t".repeat(Validation.MAX_LABEL) + "\",\"started_at\":\"1970-01-01T00:00:00Z\","
                + "\"last_activity_at\":\"9999-12-31T23:59:59Z\",\"tmux\":{\"pane_id\":\"%123\"}")).message();
        assertThat(u.session().sessionId()).isEqualTo(id);
        AgentMessage.ApprovalRequested a = (AgentMessage.ApprovalRequested) Codec.decodeAgent(frame(
                "approval.requested", "{\"approval_id\":\"ap_1\",\"tool_name\":\"mcp__srv__tool\","
                        + "\"expires_at\":\"in a while\"}")).message();
        assertThat(a.expiresAt()).isEqualTo("in a while");
    }

    @Test
    void anEnvelopeTimeOutsideTheStorableRangeOrAJunkTypeIsMalformed() {
        for (String ts : new String[]{"+100000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"}) {
            assertThatThrownBy(() -> Codec.decodeAgent(frame("events.append", "{\"event_type\":\"x\"}")
                    .replace("2026-11-23T10:00:00Z", ts)))
                    .hasMessageContaining("ts must lie between")
                    .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.MALFORMED);
        }
        assertThatThrownBy(() -> Codec.decodeAgent(frame("t".repeat(65), "{}")))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.MALFORMED);
        assertThatThrownBy(() -> Codec.decodeAgent(frame("evil\\u001b[2J", "{}")))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.MALFORMED);
    }

    @Test
    void serverMessagesAreBoundedToo() {
        String decision = "{\"v\":1,\"type\":\"approval.decision\",\"payload\":{\"approval_id\":\"ap_1\","
                + "\"behavior\":\"deny\",\"message\":\"" + "m".repeat(16 * 1024 + 1) + "\"}}";
        assertThatThrownBy(() -> Codec.decodeServer(decision)).hasMessageContaining("message");
        String command = "{\"v\":1,\"type\":\"command\",\"payload\":{\"command_id\":\"c 1\",\"name\":\"interrupt\"}}";
        assertThatThrownBy(() -> Codec.decodeServer(command)).hasMessageContaining("command_id");
    }
}
