package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.LogCapture;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One frame must never wedge a host's link: a value the database cannot store is refused at the door or dropped
 * alone, and the frames after it are stored and acked. Logs and the audit name such a frame by its seq and
 * SQLSTATE, never by its payload, and nothing a host chose reaches a log line unescaped.
 */
class BadFramesTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static WsClient agent(String name) {
        return cp.agent(cp.createHost(name).get("token").asText(), name, 0);
    }

    @Test
    void anOversizedSessionIdIsRefusedAndTheLinkGoesOn() {
        // what any process in a pane can put into @ac_session_id; random, so Postgres cannot compress it to fit
        String huge = "s_" + new Random(1).ints(3000, 0, 36)
                .mapToObj(i -> Character.toString(Character.forDigit(i, 36))).collect(Collectors.joining());
        try (WsClient a = agent("bad-id")) {
            a.send(Frames.upsert(1, huge, "huge"));
            JsonNode err = a.nextOfType("error");
            assertThat(err.at("/payload/code").asText()).isEqualTo("invalid");
            assertThat(err.at("/payload/message").asText()).contains("session.session_id");
            a.send(Frames.event(2, huge, "hook.Stop"));
            assertThat(a.nextOfType("error").at("/payload/code").asText()).isEqualTo("invalid");
            a.send(Frames.upsert(3, "s-after-huge", "after"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(3);
            assertThat(a.closed).isNotDone();
        }
        assertThat(cp.count("SELECT count(*) FROM sessions WHERE length(id) > 128")).isZero();
        assertThat(cp.count("SELECT count(*) FROM sessions WHERE id = 's-after-huge'")).isEqualTo(1);
    }

    @Test
    void aTimeOutsideWhatTheDatabaseStoresIsRefusedAndTheLinkGoesOn() {
        try (WsClient a = agent("bad-ts")) {
            a.send(Frames.event(1, "s-ts", "hook.Stop").replace("2026-11-23T10:00:00Z", "+100000-01-01T00:00:00Z"));
            assertThat(a.nextOfType("error").at("/payload/code").asText()).isEqualTo("malformed");
            a.send(Frames.frame("sessions.upsert", 2, "{\"session\":{\"session_id\":\"s-ts\",\"started_at\":"
                    + "\"+10000-01-01T00:00:00Z\"}}"));
            assertThat(a.nextOfType("error").at("/payload/message").asText()).contains("session.started_at");
            a.send(Frames.frame("approval.requested", 3, "{\"approval_id\":\"ap-ts\",\"session_id\":\"s-ts\","
                    + "\"tool_name\":\"Bash\",\"expires_at\":\"+1000000000-12-31T23:59:59Z\"}"));
            assertThat(a.nextOfType("error").at("/payload/message").asText()).contains("expires_at");
            a.send(Frames.event(4, "s-ts", "ok.after"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(4);
            assertThat(a.closed).isNotDone();
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-ts'")).isEqualTo(1);
        assertThat(cp.count("SELECT count(*) FROM approvals WHERE id = 'ap-ts'")).isZero();
    }

    /** Moved here from AgentLinkTest with its assertions; the NUL moved from the event type (schema refuses it now). */
    @Test
    void aFramePostgresRefusesIsDroppedAloneLoggedWithoutItsPayloadAndAudited() {
        ObjectNode h = cp.createHost("bad-nul");
        String hostId = h.at("/host/id").asText();
        try (LogCapture log = LogCapture.of(Ingest.class.getName());
             WsClient a = cp.agent(h.get("token").asText(), "bad-nul", 0)) {
            a.send(Frames.event(1, "s-nul", "ok.before"));
            // a NUL inside JSON data: schema lets any JSON through; jsonb refuses it with SQLSTATE 22P05
            a.send(Frames.frame("events.append", 2, "{\"session_id\":\"s-nul\",\"event_type\":\"hook.UserPromptSubmit\","
                    + "\"data\":{\"prompt\":\"my-secret-prompt \\u0000\"}}"));
            a.send(Frames.event(3, "s-nul", "ok.after"));
            a.next(n -> n.at("/payload/seq").asLong() == 3);
            String line = log.await(m -> m.contains("dropped"));
            assertThat(line).contains("seq 2").contains("SQLSTATE 22P05").doesNotContain("my-secret-prompt");
            assertThat(a.closed).isNotDone();
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-nul'")).isEqualTo(2);
        assertThat(cp.count("SELECT last_acked_seq FROM hosts WHERE id = '" + hostId + "'")).isEqualTo(3);
        assertThat(cp.string("SELECT detail::text FROM audit_log WHERE action = 'ingest.dropped' AND target = '"
                + hostId + "'")).contains("\"seq\": 2").contains("22P05").doesNotContain("secret");
    }

    @Test
    void aHostNameWithControlCharactersIsEscapedInTheLog() {
        ObjectNode h = cp.createHost("bad-name");
        try (LogCapture log = LogCapture.of(AgentEndpoint.class.getName());
             WsClient a = WsClient.connect(cp.ws("/v1/agent"), h.get("token").asText())) {
            a.send(Frames.hello("box\\nhost h_forged connected\\u001b[31m", 0));
            a.nextOfType("agent.welcome");
            String line = log.await(m -> m.contains("connected, epoch"));
            assertThat(line).contains("box\\u000ahost h_forged connected\\u001b[31m").doesNotContain("\n")
                    .doesNotContain("\u001b");
        }
    }
}
