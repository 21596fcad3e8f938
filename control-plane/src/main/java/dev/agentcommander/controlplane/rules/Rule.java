package dev.agentcommander.controlplane.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import dev.agentcommander.schema.Json;
import java.time.Instant;

/**
 * One approval rule as stored, with its pattern compiled (RE2 semantics: linear time in the input, so no pattern
 * an admin saves can stall ingest). {@code tool} is a tool name or {@code *}; {@code pattern} (null = any input)
 * is searched in the request's {@link MainInput}, so {@code ^} and {@code $} anchor; {@code hostId} null = every
 * host; {@code risk} null = the tool's default.
 */
public record Rule(String id, String tool, String pattern, String hostId, RuleAction action, Risk risk,
                   String message, String createdBy, Instant createdAt, Instant updatedAt, Pattern compiled) {

    /** Whether this rule applies to a request of {@code tool} on {@code host} whose main input is {@code input}. */
    public boolean matches(String host, String toolName, String input) {
        return ("*".equals(tool) || tool.equals(toolName))
                && (hostId == null || hostId.equals(host))
                && (compiled == null || compiled.matcher(input).find());
    }

    /** The rule as the REST API shows it. */
    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", id);
        o.put("tool", tool);
        o.put("pattern", pattern);
        o.put("host_id", hostId);
        o.put("action", action.wire());
        o.put("risk", risk == null ? null : risk.wire());
        o.put("message", message);
        o.put("created_by", createdBy);
        o.put("created_at", createdAt == null ? null : createdAt.toString());
        o.put("updated_at", updatedAt == null ? null : updatedAt.toString());
        return o;
    }
}
