package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Keeps hook payloads inside one link frame ({@code Protocol.MAX_FRAME_BYTES}): a hook JSON may be 1 MiB on its
 * own, and an approval carries it twice (input and review). Oversized payloads keep their shape and a
 * {@code _truncated} flag so a reviewer knows the view is partial.
 */
public final class JsonBudget {
    public static final int DEFAULT_LIMIT = 600 * 1024;
    private static final int KEEP_CHARS = 4096;

    private JsonBudget() {
    }

    static int size(JsonNode node) {
        return node == null ? 0 : node.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** {@code node} itself when it fits in {@code limit} bytes, else a copy with long strings cut. */
    public static JsonNode fit(JsonNode node, int limit) {
        int size = size(node);
        if (size <= limit) {
            return node;
        }
        JsonNode cut = shrink(node);
        if (cut.isObject()) {
            ((ObjectNode) cut).put("_truncated", true).put("_original_bytes", size);
        }
        if (size(cut) <= limit) {
            return cut;
        }
        return JsonNodeFactory.instance.objectNode().put("_truncated", true).put("_original_bytes", size);
    }

    private static JsonNode shrink(JsonNode node) {
        if (node.isTextual()) {
            String s = node.textValue();
            return s.length() <= KEEP_CHARS ? node
                    : JsonNodeFactory.instance.textNode(s.substring(0, KEEP_CHARS) + "…[truncated "
                            + (s.length() - KEEP_CHARS) + " chars]");
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), shrink(e.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(shrink(n)));
            return out;
        }
        return node;
    }
}
