package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a dashboard sends on {@code /v1/ui}: flat objects {@code {"type":"subscribe","sub":"s1",…}}. The role of
 * the sender is checked per message by the control plane.
 */
public sealed interface UiRequest {
    /** Topics a dashboard can subscribe to. */
    java.util.Set<String> TOPICS = java.util.Set.of("sessions", "events", "console", "approvals");

    record Subscribe(String sub, String topic, JsonNode filter) implements UiRequest {
    }

    record Unsubscribe(String sub) implements UiRequest {
    }

    record Ping() implements UiRequest {
    }

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
            case "subscribe" -> {
                String topic = root.path("topic").asText("");
                if (!TOPICS.contains(topic)) {
                    throw new ProtocolException(ProtocolException.Code.INVALID,
                            "topic must be one of " + TOPICS);
                }
                JsonNode filter = root.get("filter");
                if (filter != null && !filter.isNull() && !filter.isObject()) {
                    throw new ProtocolException(ProtocolException.Code.INVALID, "filter must be an object");
                }
                yield new Subscribe(requireSub(sub), topic,
                        filter == null || filter.isNull() ? Json.mapper().createObjectNode() : filter);
            }
            default -> throw new ProtocolException(ProtocolException.Code.UNKNOWN_TYPE,
                    "unknown UI message type: " + type);
        };
    }

    private static String requireSub(String sub) {
        if (sub == null || sub.isBlank() || sub.length() > 64) {
            throw new ProtocolException(ProtocolException.Code.INVALID, "sub is required (1-64 characters)");
        }
        return sub;
    }
}
