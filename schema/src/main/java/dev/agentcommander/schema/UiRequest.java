package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a dashboard sends on {@code /v1/ui}: flat objects {@code {"type":"subscribe","sub":"s1",…}}. The role of
 * the sender is checked per message by the control plane.
 */
public sealed interface UiRequest {
    /** Topics a dashboard can subscribe to. */
    java.util.Set<String> TOPICS = java.util.Set.of("sessions", "events", "console", "approvals");

    /** A subscription to one topic, its filter already parsed and checked ({@link Topic}). */
    record Subscribe(String sub, Topic topic) implements UiRequest {
    }

    /**
     * What a subscription is to: one variant per topic, each with its filter parsed once, here, so the control
     * plane switches over types instead of reading topic names and filter fields itself. The sessions filter is
     * the same {@link SessionFilter} that {@code GET /v1/sessions} uses.
     */
    sealed interface Topic {
        /** The wire name of the topic ({@code sessions}, {@code events}, {@code console}, {@code approvals}). */
        String name();

        record Sessions(SessionFilter filter) implements Topic {
            public String name() {
                return "sessions";
            }
        }

        record Events(String sessionId) implements Topic {
            public String name() {
                return "events";
            }
        }

        record Console(String sessionId) implements Topic {
            public String name() {
                return "console";
            }
        }

        /**
         * {@code pending} null means every approval; else only pending ones (true) or only decided ones (false).
         * {@code sessionId} non-null: only that session's approvals (a session page's inline cards).
         */
        record Approvals(Boolean pending, String sessionId) implements Topic {
            /** Approvals of every session. */
            public Approvals(Boolean pending) {
                this(pending, null);
            }

            public String name() {
                return "approvals";
            }
        }
    }

    /**
     * A subscribe whose envelope was fine but whose filter was not: answered with an {@code error} for its
     * {@code sub}, so the dashboard knows which subscription failed.
     */
    record Refused(String sub, ProtocolException error) implements UiRequest {
    }

    record Unsubscribe(String sub) implements UiRequest {
    }

    record Ping() implements UiRequest {
    }

    /**
     * What a person typed into a dashboard terminal, as the raw bytes xterm.js produced ({@code data}, base64 on
     * the wire): printable text, Enter as CR, control keys as C0 bytes, arrows as escape sequences. At most
     * {@link #MAX_INPUT_BYTES} per frame; the control plane turns it into ordered commands for the pane.
     */
    record Input(String sessionId, byte[] data) implements UiRequest {
    }

    /** The most bytes one {@code input} frame may carry (a paste larger than this is split by the dashboard). */
    int MAX_INPUT_BYTES = 4096;

    /** Parses one UI frame. @throws ProtocolException with a code a UI {@code error} reply can carry */
    static UiRequest parse(String text) {
        JsonNode root;
        try {
            if (text.length() > 64 * 1024) {
                throw new ProtocolException(ProtocolException.Code.TOO_LARGE, "UI frame larger than 64 KiB");
            }
            root = Json.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED, "frame must be a JSON object");
        }
        String type = root.path("type").asText("");
        String sub = root.path("sub").isTextual() ? root.get("sub").asText() : null;
        return switch (type) {
            case "ping" -> new Ping();
            case "unsubscribe" -> new Unsubscribe(requireSub(sub));
            case "input" -> input(root);
            case "subscribe" -> {
                String topic = root.path("topic").asText("");
                if (!TOPICS.contains(topic)) {
                    throw new ProtocolException(ProtocolException.Code.INVALID,
                            "topic must be one of " + TOPICS);
                }
                String id = requireSub(sub);
                JsonNode filter = root.get("filter");
                if (filter != null && !filter.isNull() && !filter.isObject()) {
                    yield new Refused(id, new ProtocolException(ProtocolException.Code.INVALID,
                            "filter must be an object"));
                }
                JsonNode f = filter == null || filter.isNull() ? Json.mapper().createObjectNode() : filter;
                try {
                    yield new Subscribe(id, topic(topic, f));
                } catch (ProtocolException e) {
                    yield new Refused(id, e);
                }
            }
            default -> throw new ProtocolException(ProtocolException.Code.UNKNOWN_TYPE,
                    "unknown UI message type: " + type);
        };
    }

    private static Input input(JsonNode root) {
        JsonNode n = root.get("session_id");
        String sid = n == null || !n.isTextual() ? null : n.asText();
        if (sid == null || !Ids.isOpaque(sid)) {
            throw new ProtocolException(ProtocolException.Code.INVALID,
                    "session_id is required and must match " + Ids.OPAQUE.pattern());
        }
        JsonNode d = root.get("data");
        if (d == null || !d.isTextual() || d.asText().isEmpty()) {
            throw new ProtocolException(ProtocolException.Code.INVALID, "data must be non-empty base64");
        }
        byte[] bytes;
        try {
            bytes = java.util.Base64.getDecoder().decode(d.asText());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ProtocolException.Code.INVALID, "data must be base64");
        }
        if (bytes.length == 0 || bytes.length > MAX_INPUT_BYTES) {
            throw new ProtocolException(ProtocolException.Code.INVALID,
                    "data must be 1-" + MAX_INPUT_BYTES + " bytes");
        }
        return new Input(sid, bytes);
    }

    /** The topic's filter, parsed; errors name the field as {@code filter.NAME}. */
    private static Topic topic(String topic, JsonNode f) {
        return switch (topic) {
            case "sessions" -> {
                try {
                    yield new Topic.Sessions(SessionFilter.parse(f));
                } catch (ProtocolException e) {
                    throw new ProtocolException(e.code(), "filter." + e.getMessage());
                }
            }
            case "events" -> new Topic.Events(filterId(f, "session_id"));
            case "console" -> new Topic.Console(filterId(f, "session_id"));
            case "approvals" -> {
                JsonNode n = f.get("status");
                String st = n == null || n.isNull() || n.asText().isBlank() ? null : n.asText();
                if (st != null && !st.equals("pending") && !st.equals("decided")) {
                    throw new ProtocolException(ProtocolException.Code.INVALID,
                            "filter.status must be pending or decided");
                }
                JsonNode sid = f.get("session_id");
                yield new Topic.Approvals(st == null ? null : st.equals("pending"),
                        sid == null || sid.isNull() || sid.asText().isBlank() ? null : filterId(f, "session_id"));
            }
            default -> throw new ProtocolException(ProtocolException.Code.INVALID, "topic must be one of " + TOPICS);
        };
    }

    /** A required id filter ({@code session_id}), checked against {@link Ids#OPAQUE}. */
    private static String filterId(JsonNode f, String field) {
        JsonNode n = f.get(field);
        String v = n == null || n.isNull() || n.asText().isBlank() ? null : n.asText();
        if (v == null) {
            throw new ProtocolException(ProtocolException.Code.INVALID, "filter." + field + " is required");
        }
        if (!Ids.isOpaque(v)) {
            throw new ProtocolException(ProtocolException.Code.INVALID,
                    "filter." + field + " must match " + Ids.OPAQUE.pattern());
        }
        return v;
    }

    private static String requireSub(String sub) {
        if (sub == null || sub.isBlank() || sub.length() > 64) {
            throw new ProtocolException(ProtocolException.Code.INVALID, "sub is required (1-64 characters)");
        }
        return sub;
    }
}
