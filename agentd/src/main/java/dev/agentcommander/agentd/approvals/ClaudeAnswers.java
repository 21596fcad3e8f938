package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ServerMessage;
import java.nio.charset.StandardCharsets;

/**
 * The exact JSON Claude Code reads from a PermissionRequest hook, and the reviewer's view of a file change.
 * Kept apart from the broker so the wire format Claude depends on sits in one small, testable place.
 */
final class ClaudeAnswers {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String DEFAULT_DENY_MESSAGE = "Denied in Agent Commander";

    private ClaudeAnswers() {
    }

    /** {@code {"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow",…}}}}. */
    public static byte[] allow(JsonNode updatedInput, JsonNode updatedPermissions) {
        ObjectNode decision = F.objectNode().put("behavior", "allow");
        if (updatedInput != null && updatedInput.isObject()) {
            decision.set("updatedInput", updatedInput);
        }
        if (updatedPermissions != null && updatedPermissions.isArray() && !updatedPermissions.isEmpty()) {
            decision.set("updatedPermissions", updatedPermissions);
        }
        return wrap(decision);
    }

    /** A denial with the reviewer's message; {@code interrupt:false} lets Claude carry on with other work. */
    public static byte[] deny(String message) {
        ObjectNode decision = F.objectNode().put("behavior", "deny")
                .put("message", message == null || message.isBlank() ? DEFAULT_DENY_MESSAGE : message)
                .put("interrupt", false);
        return wrap(decision);
    }

    private static byte[] wrap(ObjectNode decision) {
        ObjectNode out = F.objectNode();
        out.putObject("hookSpecificOutput").put("hookEventName", "PermissionRequest").set("decision", decision);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What a reviewer needs to see a file change as a diff: Edit → {file_path, old_string, new_string},
     * Write → {file_path, content}, MultiEdit → {file_path, edits[]}; null for other tools.
     */
    public static JsonNode review(String toolName, JsonNode toolInput) {
        if (toolName == null || toolInput == null || !toolInput.isObject()) {
            return null;
        }
        String[] fields = switch (toolName) {
            case "Edit" -> new String[] {"file_path", "old_string", "new_string", "replace_all"};
            case "Write" -> new String[] {"file_path", "content"};
            case "MultiEdit" -> new String[] {"file_path", "edits"};
            default -> null;
        };
        if (fields == null) {
            return null;
        }
        ObjectNode review = F.objectNode().put("tool", toolName);
        for (String f : fields) {
            JsonNode v = toolInput.get(f);
            if (v != null && !v.isNull()) {
                review.set(f, v);
            }
        }
        return review;
    }

    /**
     * Why a decision cannot become an answer, or null when it can: only allow or deny (an unknown word is never an
     * allow), an object as edited input, and for a hook only permissions echoing one of the suggestions offered.
     */
    static String refusal(ServerMessage.ApprovalDecision d, JsonNode suggestions, boolean hook) {
        if (d.behavior() != ApprovalBehavior.ALLOW && d.behavior() != ApprovalBehavior.DENY) {
            return "behavior must be allow or deny"; // UNKNOWN (a newer server's word) is never an allow
        }
        JsonNode in = d.updatedInput();
        if (in != null && !in.isNull() && !in.isObject()) {
            return "updated_input must be a JSON object";
        }
        JsonNode perms = d.updatedPermissions();
        if (perms != null && !perms.isNull()) {
            if (!perms.isArray()) {
                return "updated_permissions must be an array";
            }
            for (JsonNode p : perms) {
                boolean offered = false;
                if (suggestions != null && suggestions.isArray()) {
                    for (JsonNode s : suggestions) {
                        offered |= s.equals(p);
                    }
                }
                if (!offered && hook) {
                    return "updated_permissions must echo one of the permission_suggestions";
                }
            }
        }
        return null;
    }
}
