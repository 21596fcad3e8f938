package dev.agentcommander.agentd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;

/**
 * Placeholder status until the hook- and screen-based detector is merged: shells are IDLE, anything else
 * RUNNING, never needing attention. Real behaviour, just coarse; Main wires it until the lead swaps it.
 */
public final class SimpleStatusDetector implements StatusDetector {
    @Override
    public Verdict detect(Pane pane, Provider provider) {
        return new Verdict(provider == Provider.SHELL ? SessionStatus.IDLE : SessionStatus.RUNNING, false);
    }

    @Override
    public void hookEvent(String paneId, String eventName, JsonNode input) {
    }

    @Override
    public void forget(String paneId) {
    }
}
