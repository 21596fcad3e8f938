package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Everything agentd sends to the control plane. Every type but {@link Hello} and {@link Heartbeat} travels with a
 * per-host {@code seq} and goes through agentd's persisted outbox first. {@link Unknown} stands for a type this
 * build does not know: the receiver logs it, acks its seq and drops it, so a newer agent never wedges the link.
 */
public sealed interface AgentMessage {

    /** The wire {@code type} of this message. */
    String type();

    /** Whether this message carries a seq and must be acked (everything but hello and heartbeat). */
    default boolean sequenced() {
        return true;
    }

    record Hello(String hostName, String agentVersion, int protocol, List<String> capabilities, long lastAckedSeq)
            implements AgentMessage {
        public String type() {
            return "agent.hello";
        }

        public boolean sequenced() {
            return false;
        }
    }

    record Heartbeat() implements AgentMessage {
        public String type() {
            return "agent.heartbeat";
        }

        public boolean sequenced() {
            return false;
        }
    }

    record SessionsUpsert(Session session) implements AgentMessage {
        public String type() {
            return "sessions.upsert";
        }
    }

    record SessionsRemoved(String sessionId) implements AgentMessage {
        public String type() {
            return "sessions.removed";
        }
    }

    /** A pane's screen as it is now (base64 of {@code capture-pane -p -e -J}), sent before live chunks. */
    record Snapshot(String sessionId, String subscriptionId, int cols, int rows, Integer cursorX, Integer cursorY,
                    String data) implements AgentMessage {
        public String type() {
            return "snapshot";
        }
    }

    /** Live pane output (base64; may end inside a UTF-8 sequence); {@code offset} counts bytes since subscribe. */
    record ConsoleChunk(String sessionId, String subscriptionId, long offset, String data) implements AgentMessage {
        public String type() {
            return "console.chunk";
        }
    }

    /** A session event (hook event, status change, command completed, outbox drop …) for the history. */
    record EventsAppend(String sessionId, String eventType, JsonNode data) implements AgentMessage {
        public String type() {
            return "events.append";
        }
    }

    /**
     * A Claude Code permission request waiting for a person. {@code review} carries what a reviewer needs for
     * Edit/Write/MultiEdit (file path, old/new strings or content); {@code expiresAt} is when the hook gives up.
     */
    record ApprovalRequested(String approvalId, String sessionId, String toolName, JsonNode toolInput,
                             JsonNode permissionSuggestions, String cwd, JsonNode review, String expiresAt)
            implements AgentMessage {
        public String type() {
            return "approval.requested";
        }
    }

    /** The approval ended on the host: {@code outcome} is allowed | denied | expired | cancelled. */
    record ApprovalResolved(String approvalId, String outcome) implements AgentMessage {
        public String type() {
            return "approval.resolved";
        }
    }

    record CommandsResult(String commandId, boolean ok, String error, JsonNode data) implements AgentMessage {
        public String type() {
            return "commands.result";
        }
    }

    /** A type this build does not know; kept so it can be logged, acked and dropped. */
    record Unknown(String type, JsonNode payload) implements AgentMessage {
    }
}
