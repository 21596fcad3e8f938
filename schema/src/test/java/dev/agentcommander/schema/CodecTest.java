package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {
    private static final Instant TS = Instant.parse("2026-11-22T10:00:00.123Z");

    private static JsonNode json(String s) {
        try {
            return Json.mapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Session session() {
        return new Session("s_1", null, SessionKind.PANE, Provider.CLAUDE, SessionStatus.WAITING, true, "dev:0",
                new Session.Tmux("dev", "0", "%3"), "/src/app", new Session.Git("/src/app", "main", true),
                "title", TS, TS);
    }

    static Stream<AgentMessage> agentMessages() {
        return Stream.of(
                new AgentMessage.Hello("box", "0.1.0", 1, List.of("console", "hooks"), 41),
                new AgentMessage.Heartbeat(),
                new AgentMessage.Heartbeat(12L, 73_400_320L),
                new AgentMessage.SessionsUpsert(session()),
                new AgentMessage.SessionsRemoved("s_1"),
                new AgentMessage.Snapshot("s_1", "sub1", 120, 40, 3, 7, "aGVsbG8=", 4096L, AgentMessage.Snapshot.KEYFRAME),
                new AgentMessage.ConsoleChunk("s_1", "sub1", 1024, "AAEC"),
                new AgentMessage.EventsAppend("s_1", "hook.Stop", json("{\"a\":1}")),
                new AgentMessage.ApprovalRequested("ap_1", "s_1", "Bash", json("{\"command\":\"ls\"}"),
                        json("[{\"type\":\"addRules\"}]"), "/src", json("{\"file_path\":\"/x\"}"),
                        "2026-11-22T10:10:00Z"),
                new AgentMessage.ApprovalResolved("ap_1", ApprovalOutcome.ALLOWED),
                new AgentMessage.CommandsResult("c_1", false, "unknown session", json("{\"x\":true}")));
    }

    static Stream<ServerMessage> serverMessages() {
        return Stream.of(
                new ServerMessage.Welcome(41, "0.1.0", "h_1"),
                new ServerMessage.Ack(42),
                new ServerMessage.Command("c_1", "send_keys", json("{\"session_id\":\"s_1\",\"keys\":[\"C-c\"]}")),
                new ServerMessage.ApprovalDecision("ap_1", ApprovalBehavior.ALLOW, null, json("{\"command\":\"ls -la\"}"), null),
                new ServerMessage.Error("malformed", "not JSON"));
    }

    @ParameterizedTest
    @MethodSource("agentMessages")
    void agentMessagesRoundTrip(AgentMessage m) {
        Long seq = m.sequenced() ? 7L : null;
        String text = Codec.encodeAgent(m, seq, TS);
        Codec.Frame<AgentMessage> f = Codec.decodeAgent(text);
        assertThat(f.message()).isEqualTo(m);
        assertThat(f.type()).isEqualTo(m.type());
        assertThat(f.seq()).isEqualTo(seq);
        assertThat(f.ts()).isEqualTo(TS);
        assertThat(json(text).get("v").asInt()).isEqualTo(Protocol.VERSION);
    }

    /** The frame as the encoder wrote it before it streamed: a tree of the payload inside a tree of the envelope. */
    private static String asTree(String type, Long seq, Object payload) {
        var json = Json.mapper();
        var frame = json.createObjectNode().put("v", Protocol.VERSION).put("type", type);
        if (seq != null) {
            frame.put("seq", seq);
        }
        frame.put("ts", TS.toString());
        frame.set("payload", payload == null ? json.createObjectNode() : json.valueToTree(payload));
        return frame.toString();
    }

    @ParameterizedTest
    @MethodSource("agentMessages")
    void agentMessagesEncodeToTheSameTextAsATreeOfThem(AgentMessage m) {
        Long seq = m.sequenced() ? 7L : null;
        assertThat(Codec.encodeAgent(m, seq, TS)).isEqualTo(asTree(m.type(), seq, m));
    }

    @ParameterizedTest
    @MethodSource("serverMessages")
    void serverMessagesEncodeToTheSameTextAsATreeOfThem(ServerMessage m) {
        assertThat(Codec.encodeServer(m, TS)).isEqualTo(asTree(m.type(), null, m));
    }

    @ParameterizedTest
    @MethodSource("serverMessages")
    void serverMessagesRoundTrip(ServerMessage m) {
        Codec.Frame<ServerMessage> f = Codec.decodeServer(Codec.encodeServer(m, TS));
        assertThat(f.message()).isEqualTo(m);
    }

    @Test
    void heartbeatCarriesBacklogAndRssAndAnOldOneCarriesNeither() {
        String text = Codec.encodeAgent(new AgentMessage.Heartbeat(3L, 1024L), null, TS);
        assertThat(json(text).get("payload").toString()).isEqualTo("{\"outbox_backlog\":3,\"rss_bytes\":1024}");
        assertThat(json(Codec.encodeAgent(new AgentMessage.Heartbeat(), null, TS)).get("payload").toString())
                .isEqualTo("{}");
        Codec.Frame<AgentMessage> old = Codec.decodeAgent("{\"v\":1,\"type\":\"agent.heartbeat\",\"payload\":{}}");
        assertThat(old.message()).isEqualTo(new AgentMessage.Heartbeat(null, null));
        Codec.Frame<AgentMessage> newer = Codec.decodeAgent("{\"v\":1,\"type\":\"agent.heartbeat\",\"payload\":"
                + "{\"outbox_backlog\":5,\"rss_bytes\":9,\"cpu\":0.5}}");
        assertThat(newer.message()).isEqualTo(new AgentMessage.Heartbeat(5L, 9L));
    }

    @Test
    void refusesANegativeBacklogOrRss() {
        assertThatThrownBy(() -> Codec.decodeAgent(
                "{\"v\":1,\"type\":\"agent.heartbeat\",\"payload\":{\"outbox_backlog\":-1}}"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("outbox_backlog");
        assertThatThrownBy(() -> Codec.decodeAgent(
                "{\"v\":1,\"type\":\"agent.heartbeat\",\"payload\":{\"rss_bytes\":-5}}"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("rss_bytes");
    }

    @Test
    void wireNamesAreSnakeCase() {
        String text = Codec.encodeAgent(new AgentMessage.SessionsUpsert(session()), 1L, TS);
        JsonNode s = json(text).get("payload").get("session");
        assertThat(s.get("session_id").asText()).isEqualTo("s_1");
        assertThat(s.get("needs_attention").asBoolean()).isTrue();
        assertThat(s.get("provider").asText()).isEqualTo("claude");
        assertThat(s.get("kind").asText()).isEqualTo("pane");
        assertThat(s.get("status").asText()).isEqualTo("WAITING");
        assertThat(s.get("tmux").get("pane_id").asText()).isEqualTo("%3");
        assertThat(s.get("started_at").asText()).isEqualTo("2026-11-22T10:00:00.123Z");
        assertThat(s.has("managed")).as("not said: left out").isFalse();
        JsonNode m = json(Codec.encodeAgent(new AgentMessage.SessionsUpsert(session().withManaged(false)), 2L, TS))
                .get("payload").get("session");
        assertThat(m.get("managed").asBoolean(true)).isFalse();
        AgentMessage.SessionsUpsert back = (AgentMessage.SessionsUpsert) Codec.decodeAgent(
                Codec.encodeAgent(new AgentMessage.SessionsUpsert(session().withManaged(true).fitted()), 3L, TS))
                .message();
        assertThat(back.session().managed()).as("kept through fitted() and the wire").isTrue();
    }

    @Test
    void ignoresUnknownFieldsAndReadsUnknownEnumsLeniently() {
        String text = "{\"v\":1,\"type\":\"sessions.upsert\",\"seq\":3,\"ts\":\"2026-11-22T10:00:00Z\",\"extra\":1,"
                + "\"payload\":{\"future\":true,\"session\":{\"session_id\":\"s_9\",\"provider\":\"gemini\","
                + "\"status\":\"DREAMING\",\"new_field\":[1,2]}}}";
        AgentMessage.SessionsUpsert u = (AgentMessage.SessionsUpsert) Codec.decodeAgent(text).message();
        assertThat(u.session().sessionId()).isEqualTo("s_9");
        assertThat(u.session().provider()).isEqualTo(Provider.OTHER);
        assertThat(u.session().status()).isEqualTo(SessionStatus.IDLE);
    }

    @Test
    void readsANumberWhereAnEnumNameBelongsAsUnknownNotAsAnIndex() {
        // by declaration order 1 would be codex, 0 running, 1 job: a number is no name, so each is the default
        String text = "{\"v\":1,\"type\":\"sessions.upsert\",\"seq\":4,\"ts\":\"2026-11-22T10:00:00Z\","
                + "\"payload\":{\"session\":{\"session_id\":\"s_8\",\"provider\":1,\"status\":0,\"kind\":1}}}";
        AgentMessage.SessionsUpsert u = (AgentMessage.SessionsUpsert) Codec.decodeAgent(text).message();
        assertThat(u.session().provider()).isEqualTo(Provider.OTHER);
        assertThat(u.session().status()).isEqualTo(SessionStatus.IDLE);
        assertThat(u.session().kind()).isEqualTo(SessionKind.PANE);
    }

    /** A configuration value that must be one of a set of names. */
    record ModeSetting(SessionKind kind) {
    }

    @Test
    void strictConfigurationRefusesANumberForAnEnum() {
        var strict = Json.strict(com.fasterxml.jackson.databind.json.JsonMapper.builder()).build();
        assertThatThrownBy(() -> strict.readValue("{\"kind\":1}", ModeSetting.class))
                .hasMessageContaining("SessionKind");
    }

    @Test
    void unknownTypeDecodesAsUnknownWithItsSeq() {
        Codec.Frame<AgentMessage> f = Codec.decodeAgent(
                "{\"v\":1,\"type\":\"jobs.progress\",\"seq\":12,\"payload\":{\"pct\":50}}");
        assertThat(f.message()).isInstanceOf(AgentMessage.Unknown.class);
        assertThat(f.seq()).isEqualTo(12L);
        assertThat(((AgentMessage.Unknown) f.message()).payload().get("pct").asInt()).isEqualTo(50);
    }

    @Test
    void refusesMalformedFrames() {
        assertThatThrownBy(() -> Codec.decodeAgent("{not json")).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.MALFORMED);
        assertThatThrownBy(() -> Codec.decodeAgent("[1,2]"))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.MALFORMED);
        assertThatThrownBy(() -> Codec.decodeAgent("{\"v\":1,\"payload\":{}}"))
                .hasMessageContaining("type");
        assertThatThrownBy(() -> Codec.decodeAgent("{\"v\":1,\"type\":\"events.append\",\"payload\":{}}"))
                .hasMessageContaining("seq is required");
        assertThatThrownBy(() -> Codec.decodeAgent(
                "{\"v\":1,\"type\":\"sessions.removed\",\"seq\":1,\"payload\":{}}"))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.INVALID);
    }

    @Test
    void refusesVersionsItCannotSpeak() {
        assertThatThrownBy(() -> Codec.decodeAgent("{\"v\":99,\"type\":\"agent.hello\",\"payload\":{}}"))
                .extracting(e -> ((ProtocolException) e).code())
                .isEqualTo(ProtocolException.Code.UNSUPPORTED_VERSION);
    }

    @Test
    void refusesOversizedFrames() {
        String big = "{\"v\":1,\"type\":\"x\",\"payload\":{\"d\":\"" + "a".repeat(Protocol.MAX_FRAME_BYTES) + "\"}}";
        assertThatThrownBy(() -> Codec.decodeAgent(big))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.TOO_LARGE);
    }

    @Test
    void versionHistoryCoversTheCurrentVersion() {
        assertThat(Protocol.HISTORY).containsKey(Protocol.VERSION);
        assertThat(Protocol.HISTORY.get(Protocol.VERSION)).matches("\\d{4}-\\d{2}-\\d{2}: .+");
    }

    @Test
    void uiEventsAreFlatWithType() {
        JsonNode o = json(UiEvent.encode(new UiEvent.ConsoleChunk("s1", "sess", 10, "AA==")));
        assertThat(o.get("type").asText()).isEqualTo("console.chunk");
        assertThat(o.get("sub").asText()).isEqualTo("s1");
        assertThat(o.get("session_id").asText()).isEqualTo("sess");
        JsonNode err = json(UiEvent.encode(new UiEvent.Error("s1", new UiEvent.ErrorBody("forbidden", "no"))));
        assertThat(err.get("error").get("code").asText()).isEqualTo("forbidden");
    }

    @Test
    void snapshotCarriesItsCutAndReasonAndAnOldOneMeansAStartAtZero() {
        String old = "{\"v\":1,\"type\":\"snapshot\",\"seq\":3,\"payload\":{\"session_id\":\"s_1\","
                + "\"subscription_id\":\"cs_1\",\"cols\":80,\"rows\":24,\"data\":\"AA==\"}}";
        AgentMessage.Snapshot s = (AgentMessage.Snapshot) Codec.decodeAgent(old).message();
        assertThat(s.cutAt()).isZero();
        assertThat(s.keyframe()).isFalse();
        assertThat(s.resync()).isFalse();
        AgentMessage.Snapshot k = (AgentMessage.Snapshot) Codec.decodeAgent(Codec.encodeAgent(new AgentMessage.Snapshot(
                "s_1", "cs_1", 80, 24, null, null, "AA==", 77L, AgentMessage.Snapshot.RESYNC), 4L,
                java.time.Instant.EPOCH)).message();
        assertThat(k.cutAt()).isEqualTo(77);
        assertThat(k.resync()).isTrue();
        assertThatThrownBy(() -> Codec.decodeAgent(old.replace("\"data\"", "\"offset\":-1,\"data\"")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("offset");
    }

    @Test
    void consoleSkippedNamesItsReasonAndSnapshotItsOffset() {
        JsonNode o = json(UiEvent.encode(new UiEvent.ConsoleSkipped("c1", "s_1", UiEvent.ConsoleSkipped.VIEWER_BEHIND,
                4096L)));
        assertThat(o.get("type").asText()).isEqualTo("console.skipped");
        assertThat(o.get("reason").asText()).isEqualTo("viewer_behind");
        assertThat(o.get("bytes").asLong()).isEqualTo(4096);
        JsonNode snap = json(UiEvent.encode(new UiEvent.ConsoleSnapshot("c1", "s_1", 80, 24, null, "AA==", 512)));
        assertThat(snap.get("offset").asLong()).isEqualTo(512);
    }

    @Test
    void uiRequestsParseAndRefuseBadInput() {
        UiRequest r = UiRequest.parse("{\"type\":\"subscribe\",\"sub\":\"s1\",\"topic\":\"sessions\","
                + "\"filter\":{\"status\":\"WAITING\"}}");
        assertThat(r).isEqualTo(new UiRequest.Subscribe("s1", new UiRequest.Topic.Sessions(
                new SessionFilter(null, SessionStatus.WAITING, null, null, null))));
        assertThat(UiRequest.parse("{\"type\":\"subscribe\",\"sub\":\"c\",\"topic\":\"console\","
                + "\"filter\":{\"session_id\":\"s_1\"}}"))
                .isEqualTo(new UiRequest.Subscribe("c", new UiRequest.Topic.Console("s_1")));
        assertThat(UiRequest.parse("{\"type\":\"subscribe\",\"sub\":\"a\",\"topic\":\"approvals\","
                + "\"filter\":{\"status\":\"decided\"}}"))
                .isEqualTo(new UiRequest.Subscribe("a", new UiRequest.Topic.Approvals(false)));
        assertThat(UiRequest.parse("{\"type\":\"subscribe\",\"sub\":\"a\",\"topic\":\"approvals\","
                + "\"filter\":{\"status\":\"pending\",\"session_id\":\"s_1\"}}"))
                .isEqualTo(new UiRequest.Subscribe("a", new UiRequest.Topic.Approvals(true, "s_1")));
        UiRequest bad = UiRequest.parse("{\"type\":\"subscribe\",\"sub\":\"x\",\"topic\":\"sessions\","
                + "\"filter\":{\"needs_attention\":\"yes\"}}");
        assertThat(bad).isInstanceOf(UiRequest.Refused.class).extracting(b -> ((UiRequest.Refused) b).sub())
                .isEqualTo("x");
        assertThat(((UiRequest.Refused) bad).error()).hasMessage("filter.needs_attention: must be true or false");
        assertThat(UiRequest.parse("{\"type\":\"subscribe\",\"sub\":\"e\",\"topic\":\"events\"}"))
                .isInstanceOf(UiRequest.Refused.class);
        assertThat(UiRequest.parse("{\"type\":\"ping\"}")).isInstanceOf(UiRequest.Ping.class);
        assertThatThrownBy(() -> UiRequest.parse("{\"type\":\"subscribe\",\"sub\":\"s1\",\"topic\":\"secrets\"}"))
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> UiRequest.parse("{\"type\":\"launch\"}"))
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ProtocolException.Code.UNKNOWN_TYPE);
    }

    @Test
    void everyMessageTypeNameIsDeclaredOnceAndDecodesToItsRecord() {
        for (Class<?> c : AgentMessage.class.getPermittedSubclasses()) {
            if (c != AgentMessage.Unknown.class) {
                String type = Codec.typeName(c);
                String frame = "{\"v\":1,\"type\":\"" + type + "\",\"seq\":1,\"payload\":{}}";
                try {
                    assertThat(Codec.decodeAgent(frame).message()).as(type).isInstanceOf(c);
                } catch (ProtocolException e) {
                    assertThat(e.code()).as(type + " is known, only its payload is refused")
                            .isEqualTo(ProtocolException.Code.INVALID);
                }
            }
        }
        assertThat(Codec.byType(ServerMessage.class, ServerMessage.Unknown.class))
                .containsEntry(ServerMessage.Welcome.TYPE, ServerMessage.Welcome.class)
                .hasSize(ServerMessage.class.getPermittedSubclasses().length - 1);
        assertThat(new AgentMessage.Heartbeat().type()).isEqualTo(AgentMessage.Heartbeat.TYPE)
                .isEqualTo("agent.heartbeat");
    }
}
