package dev.agentcommander.controlplane.rules;

import java.util.Locale;
import java.util.Map;

/**
 * How much harm an approval could do if allowed by mistake. Every approval carries one, so the dashboard can sort
 * the inbox by it: the matching rule's when it sets one, else the tool's default ({@link #ofTool}).
 */
public enum Risk {
    LOW, MEDIUM, HIGH;

    private static final Map<String, Risk> BY_TOOL = Map.ofEntries(
            Map.entry("Bash", HIGH), Map.entry("Write", HIGH), Map.entry("Edit", HIGH), Map.entry("MultiEdit", HIGH),
            Map.entry("WebFetch", HIGH), Map.entry("NotebookEdit", MEDIUM), Map.entry("Read", LOW),
            Map.entry("Grep", LOW), Map.entry("Glob", LOW), Map.entry("LS", LOW), Map.entry("TodoWrite", LOW));

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The wire word ({@code low}); null for anything else. */
    public static Risk fromWire(String s) {
        for (Risk r : values()) {
            if (r.wire().equals(s)) {
                return r;
            }
        }
        return null;
    }

    /**
     * A tool's default. A tool not in the table (an MCP tool, a newer built-in) is {@link #MEDIUM}: unknown is
     * neither harmless nor known to be dangerous (docs/approval-rules.md).
     */
    public static Risk ofTool(String tool) {
        return tool == null ? MEDIUM : BY_TOOL.getOrDefault(tool, MEDIUM);
    }
}
