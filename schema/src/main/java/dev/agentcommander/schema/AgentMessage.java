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
        public static final String TYPE = "agent.hello";

        public String type() {
            return TYPE;
        }

        public boolean sequenced() {
            return false;
        }
    }

    record Heartbeat() implements AgentMessage {
        public static final String TYPE = "agent.heartbeat";

        public String type() {
            return TYPE;
        }

        public boolean sequenced() {
            return false;
        }
    }

    record SessionsUpsert(Session session) implements AgentMessage {
        public static final String TYPE = "sessions.upsert";

        public String type() {
            return TYPE;
        }
    }

    record SessionsRemoved(String sessionId) implements AgentMessage {
        public static final String TYPE = "sessions.removed";

        public String type() {
            return TYPE;
        }
    }

    /** A pane's screen as it is now (base64 of {@code capture-pane -p -e -J}), sent before live chunks. */
    record Snapshot(String sessionId, String subscriptionId, int cols, int rows, Integer cursorX, Integer cursorY,
                    String data) implements AgentMessage {
        public static final String TYPE = "snapshot";

        public String type() {
            return TYPE;
        }
    }

    /** Live pane output (base64; may end inside a UTF-8 sequence); {@code offset} counts bytes since subscribe. */
    record ConsoleChunk(String sessionId, String subscriptionId, long offset, String data) implements AgentMessage {
        public static final String TYPE = "console.chunk";

        public String type() {
            return TYPE;
        }
    }

    /** A session event (hook event, status change, command completed, outbox drop …) for the history. */
    record EventsAppend(String sessionId, String eventType, JsonNode data) implements AgentMessage {
        public static final String TYPE = "events.append";

        public String type() {
            return TYPE;
        }
    }

    /**
     * A Claude Code permission request waiting for a person. {@code review} carries what a reviewer needs for
     * Edit/Write/MultiEdit (file path, old/new strings or content); {@code expiresAt} is when the hook gives up.
     */
    record ApprovalRequested(String approvalId, String sessionId, String toolName, JsonNode toolInput,
                             JsonNode permissionSuggestions, String cwd, JsonNode review, String expiresAt)
            implements AgentMessage {
        public static final String TYPE = "approval.requested";

        public String type() {
            return TYPE;
        }
    }

    /** The approval ended on the host: allowed | denied | expired | cancelled ({@link ApprovalOutcome}). */
    record ApprovalResolved(String approvalId, ApprovalOutcome outcome) implements AgentMessage {
        public static final String TYPE = "approval.resolved";

        public String type() {
            return TYPE;
        }
    }

    record CommandsResult(String commandId, boolean ok, String error, JsonNode data) implements AgentMessage {
        public static final String TYPE = "commands.result";

        public String type() {
            return TYPE;
        }
    }

    /** A type this build does not know; kept so it can be logged, acked and dropped. */
    record Unknown(String type, JsonNode payload) implements AgentMessage {
    }
}
