package dev.agentcommander.controlplane.rules;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one string of a tool request that a rule's pattern is matched against and a notification quotes: Bash's
 * {@code command}, the file tools' {@code file_path}, WebFetch's {@code url}, else the compact JSON of the whole
 * input (also when that field is absent). One definition, so what a person reads in a notification is what the rules judged.
 */
public final class MainInput {
    private MainInput() {
    }

    public static String of(String tool, JsonNode input) {
        String field = switch (tool == null ? "" : tool) {
            case "Bash" -> "command";
            case "Edit", "Write", "MultiEdit", "Read" -> "file_path";
            case "WebFetch" -> "url";
            default -> null;
        };
        if (input == null || input.isNull() || input.isMissingNode()) {
            return "{}";
        }
        JsonNode v = field == null ? null : input.get(field);
        // without its field (a screen-menu approval carries only a summary) the whole input is judged: a deny
        // pattern still finds its words there, and an anchored allow pattern does not match "{…"
        return v != null && v.isTextual() ? v.asText() : input.toString();
    }
}
