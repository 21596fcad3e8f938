package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PermissionRequest hook answers in Claude Code's format — the same JSON agentd's ClaudeAnswers writes, so these
 * tests also show that agentd's answers work with the real client — and reading the tool_result content.
 */
final class ClaudeDecisions {
    private ClaudeDecisions() {
    }

    static String allow() {
        return answer(Map.of("behavior", "allow"));
    }

    /** Allow, and apply {@code suggestion} (one of the request's permission_suggestions, echoed back). */
    static String allowWith(JsonNode suggestion) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("behavior", "allow");
        d.put("updatedPermissions", List.of(Json.MAPPER.convertValue(suggestion, Object.class)));
        return answer(d);
    }

    /** A deny exactly as agentd answers it (docs/hooks.md): with {@code interrupt: false}, so Claude carries on. */
    static String deny(String message) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("behavior", "deny");
        d.put("message", message);
        d.put("interrupt", false);
        return answer(d);
    }

    private static String answer(Map<String, Object> decision) {
        return Json.write(Map.of("hookSpecificOutput",
                Map.of("hookEventName", "PermissionRequest", "decision", decision)));
    }

    /** A tool_result's content as text: a plain string, or the text blocks of a content array joined. */
    static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            sb.append(block.path("text").asText());
        }
        return sb.toString();
    }
}
