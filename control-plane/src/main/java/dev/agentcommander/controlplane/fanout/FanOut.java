package dev.agentcommander.controlplane.fanout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Session;
import java.util.function.Consumer;

/**
 * Where committed changes go to reach dashboards. Ingest and REST publish only after their transaction commits;
 * subscribers filter by topic themselves. {@link InProcessFanOut} serves one replica; {@link PgFanOut} (LISTEN/NOTIFY,
 * payloads are ids) serves several on one Postgres without touching the publishers (docs/design-notes.md).
 * Listeners must not block.
 */
public interface FanOut {

    /** A committed change (or, for console bytes, a live one that is never stored). */
    sealed interface Change {
    }

    record SessionChanged(Session session) implements Change {
    }

    record SessionRemoved(String hostId, String sessionId) implements Change {
    }

    record EventAppended(String sessionId, ObjectNode event) implements Change {
    }

    record ApprovalChanged(ObjectNode approval) implements Change {
    }

    /** A pane snapshot or a console chunk; {@code message} is {@link AgentMessage.Snapshot} or {@link AgentMessage.ConsoleChunk}. */
    record Console(String hostId, String sessionId, AgentMessage message) implements Change {
    }

    /**
     * A host's socket was welcomed on some replica: console streams of that host, on every replica, ask it again
     * (it may have restarted and lost them).
     */
    record HostConnected(String hostId) implements Change {
    }

    /**
     * Changes may have been missed (another replica's notifications arrived while this replica's LISTEN connection
     * was down): every subscriber re-reads what it shows. Only published by a fan-out, never by ingest or REST.
     */
    record Resync() implements Change {
    }

    void publish(Change change);

    /** Registers a listener; closing the handle removes it. */
    AutoCloseable subscribe(Consumer<Change> listener);
}
