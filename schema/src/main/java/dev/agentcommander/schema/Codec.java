package dev.agentcommander.schema;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Encodes and decodes agent-link frames: {@code {"v":1,"type":…,"seq":…,"ts":…,"payload":{…}}}. Decoding is
 * lenient about unknown fields and unknown types (they become {@code Unknown}) and strict about what the link
 * relies on: a version we speak, a seq on sequenced messages, and the ids each message is about.
 */
public final class Codec {
    private static final Map<String, Class<? extends AgentMessage>> AGENT_TYPES =
            byType(AgentMessage.class, AgentMessage.Unknown.class);
    private static final Map<String, Class<? extends ServerMessage>> SERVER_TYPES =
            byType(ServerMessage.class, ServerMessage.Unknown.class);

    private Codec() {
    }

    /** A decoded frame; {@code seq} is null for unsequenced messages. */
    public record Frame<M>(int version, String type, Long seq, Instant ts, M message) {
    }

    public static String encodeAgent(AgentMessage m, Long seq, Instant ts) {
        return encode(m.type(), seq, ts, m instanceof AgentMessage.Unknown u ? u.payload() : m);
    }

    public static String encodeServer(ServerMessage m, Instant ts) {
        return encode(m.type(), null, ts, m instanceof ServerMessage.Unknown u ? u.payload() : m);
    }

    /**
     * Writes the frame in one pass: agentd encodes every console chunk on its tmux reader thread, and building a
     * tree of the payload first (then writing the tree) cost about twice as long and twice the garbage.
     */
    private static String encode(String type, Long seq, Instant ts, Object payload) {
        ObjectMapper json = Json.mapper();
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", Protocol.VERSION);
            g.writeStringField("type", type);
            if (seq != null) {
                g.writeNumberField("seq", seq);
            }
            g.writeStringField("ts", ts.toString());
            g.writeFieldName("payload");
            if (payload == null) {
                g.writeStartObject();
                g.writeEndObject();
            } else {
                json.writeValue(g, payload);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type, e);
        }
        return out.toString();
    }

    public static Frame<AgentMessage> decodeAgent(String text) {
        Raw raw = parse(text);
        Class<? extends AgentMessage> cls = AGENT_TYPES.get(raw.type);
        AgentMessage m = cls == null ? new AgentMessage.Unknown(raw.type, raw.payload) : bind(raw, cls);
        if (m.sequenced() && raw.seq == null) {
            throw new ProtocolException(ProtocolException.Code.INVALID, raw.type + ": seq is required");
        }
        if (raw.seq != null && raw.seq < 1) {
            throw new ProtocolException(ProtocolException.Code.INVALID, raw.type + ": seq must be >= 1");
        }
        Validation.check(m);
        return new Frame<>(raw.version, raw.type, raw.seq, raw.ts, m);
    }

    public static Frame<ServerMessage> decodeServer(String text) {
        Raw raw = parse(text);
        Class<? extends ServerMessage> cls = SERVER_TYPES.get(raw.type);
        ServerMessage m = cls == null ? new ServerMessage.Unknown(raw.type, raw.payload) : bind(raw, cls);
        Validation.check(m);
        return new Frame<>(raw.version, raw.type, raw.seq, raw.ts, m);
    }

    private record Raw(int version, String type, Long seq, Instant ts, JsonNode payload) {
    }

    private static Raw parse(String text) {
        if (text == null) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "empty frame");
        }
        if (text.length() > Protocol.MAX_FRAME_BYTES
                || text.getBytes(StandardCharsets.UTF_8).length > Protocol.MAX_FRAME_BYTES) {
            throw new ProtocolException(ProtocolException.Code.TOO_LARGE,
                    "frame larger than " + Protocol.MAX_FRAME_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "frame must be a JSON object");
        }
        JsonNode v = root.get("v");
        if (v == null || !v.canConvertToInt()) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "missing or non-integer field v");
        }
        if (!Protocol.supports(v.intValue())) {
            throw new ProtocolException(ProtocolException.Code.UNSUPPORTED_VERSION,
                    "protocol version " + v.intValue() + " not supported (this server speaks "
                            + Protocol.MIN_SUPPORTED + ".." + Protocol.VERSION + ")");
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "missing field type");
        }
        Validation.type(type.asText());
        JsonNode seq = root.get("seq");
        Long seqValue = null;
        if (seq != null && !seq.isNull()) {
            if (!seq.canConvertToLong() || !seq.isIntegralNumber()) {
                throw new ProtocolException(ProtocolException.Code.MALFORMED, "seq must be an integer");
            }
            seqValue = seq.longValue();
        }
        Instant ts = null;
        JsonNode tsNode = root.get("ts");
        if (tsNode != null && tsNode.isTextual()) {
            try {
                ts = Instant.parse(tsNode.asText());
            } catch (DateTimeParseException e) {
                throw new ProtocolException(ProtocolException.Code.MALFORMED, "ts is not an ISO-8601 instant");
            }
            if (ts.isBefore(Validation.EARLIEST) || ts.isAfter(Validation.LATEST)) {
                throw new ProtocolException(ProtocolException.Code.MALFORMED, "ts must lie between "
                        + Validation.EARLIEST + " and " + Validation.LATEST);
            }
        }
        JsonNode payload = root.get("payload");
        if (payload == null || payload.isNull()) {
            payload = Json.mapper().createObjectNode();
        } else if (!payload.isObject()) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "payload must be a JSON object");
        }
        return new Raw(v.intValue(), type.asText(), seqValue, ts, payload);
    }

    /**
     * The wire type name of a message record: its {@code TYPE} constant, the one place each name is written (the
     * record's {@code type()} returns it, the decoder's table is built from it).
     */
    public static String typeName(Class<?> messageClass) {
        try {
            return (String) messageClass.getField("TYPE").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(messageClass.getName() + " has no public static String TYPE", e);
        }
    }

    /** Type name → record, for every permitted subtype of a sealed message interface but its Unknown. */
    static <T> Map<String, Class<? extends T>> byType(Class<T> sealed, Class<? extends T> unknown) {
        Map<String, Class<? extends T>> m = new java.util.LinkedHashMap<>();
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c != unknown && m.put(typeName(c), c.asSubclass(sealed)) != null) {
                throw new IllegalStateException(sealed.getSimpleName() + ": type " + typeName(c) + " declared twice");
            }
        }
        return Map.copyOf(m);
    }

    private static <T> T bind(Raw raw, Class<T> cls) {
        try {
            return Json.mapper().treeToValue(raw.payload, cls);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new ProtocolException(ProtocolException.Code.INVALID, raw.type + ": bad payload: " + msg);
        }
    }
}
