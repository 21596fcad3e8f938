package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.ServerMessage;
import java.nio.charset.StandardCharsets;

/**
 * The exact JSON Codex reads from a PermissionRequest hook:
 * {@code {"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"|"deny",
 * "message":…}}}}. Codex 0.169.0 fails closed on {@code updatedInput}, {@code updatedPermissions} and
 * {@code interrupt} (its schema reserves them), so they are never written; a decision that asks for an edited
 * input or a lasting grant is refused instead of being turned into a plain allow.
 */
final class CodexAnswers {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private CodexAnswers() {
    }

    static byte[] allow() {
        return wrap(F.objectNode().put("behavior", "allow"));
    }

    static byte[] deny(String message) {
        return wrap(F.objectNode().put("behavior", "deny").put("message",
                message == null || message.isBlank() ? ClaudeAnswers.DEFAULT_DENY_MESSAGE : message));
    }

    /** Why Codex cannot take {@code d}; null when it can. */
    static String refusal(ServerMessage.ApprovalDecision d) {
        if (present(d.updatedInput())) {
            return "updated_input cannot be sent to Codex (it fails closed on an edited input)";
        }
        if (present(d.updatedPermissions()) && !d.updatedPermissions().isEmpty()) {
            return "updated_permissions cannot be sent to Codex (it fails closed on a permission change)";
        }
        return null;
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    private static byte[] wrap(ObjectNode decision) {
        ObjectNode out = F.objectNode();
        out.putObject("hookSpecificOutput").put("hookEventName", "PermissionRequest").set("decision", decision);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
