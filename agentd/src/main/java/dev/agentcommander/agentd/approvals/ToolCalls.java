package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.agentcommander.schema.Ids;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which tool call a hook payload is about, and the {@code tool_use_id}s PreToolUse announced. Claude Code's
 * PermissionRequest carries no {@code tool_use_id} (2.1.328); the PreToolUse just before it does, for the same
 * session, prompt, tool and input, so it is remembered here (bounded: the oldest are forgotten first) until its
 * PermissionRequest or PostToolUse comes.
 */
final class ToolCalls {
    private static final int REMEMBERED = 256;

    private final Map<String, String> toolUseIds = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** The call a hook payload names (its own {@code tool_use_id} if it has one). */
    static Approval.ToolCall of(JsonNode hook) {
        JsonNode input = hook.path("tool_input");
        return new Approval.ToolCall(text(hook, "session_id"), text(hook, "prompt_id"),
                text(hook, "tool_name") == null ? "unknown" : text(hook, "tool_name"),
                input.isObject() ? input : JsonNodeFactory.instance.objectNode(), text(hook, "tool_use_id"));
    }

    /** A PreToolUse: remember its tool_use_id for the PermissionRequest that may follow. */
    synchronized void announced(String paneId, Approval.ToolCall call) {
        if (call.toolUseId() != null) {
            toolUseIds.put(key(paneId, call), call.toolUseId());
        }
    }

    /** A PostToolUse (or failure, or denial): the call is over. */
    synchronized void ended(String paneId, Approval.ToolCall call) {
        toolUseIds.remove(key(paneId, call));
    }

    /** {@code call} with the tool_use_id its PreToolUse announced, when it has none of its own. */
    synchronized Approval.ToolCall withToolUseId(String paneId, Approval.ToolCall call) {
        if (call.toolUseId() != null) {
            return call;
        }
        String id = toolUseIds.get(key(paneId, call));
        return id == null ? call : new Approval.ToolCall(call.claudeSession(), call.promptId(), call.toolName(),
                call.toolInput(), id);
    }

    /** An id Claude sent, if it fits the wire's id rule; an odd one is left out rather than failing the frame. */
    static String opaque(String id) {
        return id != null && Ids.isOpaque(id) ? id : null;
    }

    private static String key(String paneId, Approval.ToolCall c) {
        return paneId + '\0' + c.claudeSession() + '\0' + c.promptId() + '\0' + c.toolName() + '\0' + c.toolInput();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }
}
