package dev.agentcommander.agentd.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.panes.StatusDetector;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fixed, coarse status for tests whose subject is not status detection (shells IDLE, anything else RUNNING,
 * never needing attention) that records the hook events it is told.
 */
public final class RecordingStatus implements StatusDetector {
    /** One {@link #hookEvent} call. */
    public record Call(String paneId, String eventName, JsonNode input) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    public List<Call> calls() {
        return calls;
    }

    @Override
    public Verdict detect(Pane pane, Provider provider) {
        return new Verdict(provider == Provider.SHELL ? SessionStatus.IDLE : SessionStatus.RUNNING, false);
    }

    @Override
    public void hookEvent(String paneId, String eventName, JsonNode input) {
        calls.add(new Call(paneId, eventName, input));
    }

    @Override
    public void forget(String paneId) {
    }
}
