package dev.agentcommander.agentd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;

/**
 * A fixed, coarse status for tests of the scanner and the executor, whose subject is not status detection:
 * shells are IDLE, anything else RUNNING, never needing attention.
 */
final class SimpleStatusDetector implements StatusDetector {
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
