package dev.agentcommander.agentd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;

/**
 * Decides a pane's status: Claude Code hook events first, screen patterns as the fallback (DESIGN.md §3).
 * The scanner asks on every poll; the hook receiver tells it what hooks said.
 */
public interface StatusDetector {
    record Verdict(SessionStatus status, boolean needsAttention) {
    }

    /** Status of a pane now; may capture the pane's screen. Never throws for a vanished pane. */
    Verdict detect(Pane pane, Provider provider);

    /**
     * A hook event for a pane ({@code hook_event_name} as Claude sends it, or {@code ApprovalResolved} when an
     * approval we relayed ended).
     */
    void hookEvent(String paneId, String eventName, JsonNode input);

    /** The pane is gone: drop what is remembered of it. */
    void forget(String paneId);
}
