package dev.agentcommander.agentd.panes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;
import java.util.Optional;

/**
 * Decides a pane's status: Claude Code hook events first, screen patterns as the fallback (docs/status-detection.md).
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

    /**
     * The permission menu the pane's latest screen capture showed, if any (not what a hook said: a menu only on
     * screen is what keys-mode approvals answer). Detectors that do not read screens have none.
     */
    default Optional<ScreenMenu> screenMenu(String paneId) {
        return Optional.empty();
    }

    /** The pane is gone: drop what is remembered of it. */
    void forget(String paneId);
}
