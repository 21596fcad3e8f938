package dev.agentcommander.agentd.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.approvals.JsonBudget;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;

/**
 * One stdout line of {@code codex exec --json}, as an event: a JSON object is {@code codex.event} with the object
 * as its data; anything else (a warning, half a line, a JSON scalar) is {@code codex.unparsed} with the text, so
 * nothing is dropped. What the line means for the job's record is read here too: {@code thread.started} names the
 * thread, {@code turn.completed} carries the thread's cumulative usage, {@code turn.failed} fails the job. A
 * top-level {@code error} is not a failure (Codex sends one for every retry), nor is an item of type
 * {@code error}.
 */
record CodexLine(String eventType, JsonNode data) {
    static final String EVENT = "codex.event";
    static final String UNPARSED = "codex.unparsed";
    /** The most of a line kept as text in {@code codex.unparsed}. */
    static final int UNPARSED_KEEP = 64 * 1024;
    /** An event's data is cut to this (keeping its shape) so the frame fits the link. */
    static final int DATA_LIMIT = 600 * 1024;

    /** @param bytes the line's whole length in bytes (it may have been cut before it got here) */
    static CodexLine of(String text, long bytes, boolean cut) {
        if (!cut) {
            JsonNode n = parse(text);
            if (n != null && n.isObject()) {
                return new CodexLine(EVENT, JsonBudget.fit(n, DATA_LIMIT));
            }
        }
        String kept = text.length() > UNPARSED_KEEP ? text.substring(0, UNPARSED_KEEP) : text;
        ObjectNode d = Json.mapper().createObjectNode().put("line", kept.replace("\0", ""));
        if (cut || kept.length() < text.length()) {
            d.put("truncated", true).put("bytes", bytes);
        }
        return new CodexLine(UNPARSED, d);
    }

    private static JsonNode parse(String text) {
        String t = text.strip();
        if (!t.startsWith("{")) {
            return null;
        }
        try {
            // Postgres cannot store U+0000 in jsonb: one such escape would get the frame dropped
            return Json.mapper().readTree(t.contains("\\u0000") ? t.replace("\\u0000", "\\ufffd") : t);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    String codexType() {
        return EVENT.equals(eventType) ? data.path("type").asText("") : "";
    }

    /** The thread id a {@code thread.started} names, else null. */
    String threadId() {
        String id = codexType().equals("thread.started") ? data.path("thread_id").asText(null) : null;
        return id != null && dev.agentcommander.schema.Ids.isOpaque(id) ? id : null;
    }

    boolean turnFailed() {
        return codexType().equals("turn.failed");
    }

    /** The usage a {@code turn.completed} reports (the thread's total so far), else null. */
    Session.Usage usage() {
        if (!codexType().equals("turn.completed") || !data.path("usage").isObject()) {
            return null;
        }
        JsonNode u = data.get("usage");
        return new Session.Usage(num(u, "input_tokens"), num(u, "cached_input_tokens"),
                num(u, "cache_write_input_tokens"), num(u, "output_tokens"), num(u, "reasoning_output_tokens"));
    }

    private static Long num(JsonNode u, String field) {
        JsonNode n = u.get(field);
        return n != null && n.canConvertToLong() && n.asLong() >= 0 ? n.asLong() : null;
    }
}
