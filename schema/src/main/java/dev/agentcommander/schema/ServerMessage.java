package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Everything the control plane sends to agentd. Commands and decisions are rows in Postgres first and are resent
 * after a reconnect until agentd reports them done, so agentd treats {@code commandId} and {@code approvalId} as
 * idempotency keys.
 */
public sealed interface ServerMessage {

    String type();

    /** The server's record of the last seq it stored for this host: agentd resends everything after it. */
    record Welcome(long lastAckedSeq, String serverVersion, String hostId) implements ServerMessage {
        public static final String TYPE = "agent.welcome";

        public String type() {
            return TYPE;
        }
    }

    /** Cumulative: every seq up to and including {@code seq} is stored. */
    record Ack(long seq) implements ServerMessage {
        public static final String TYPE = "agent.ack";

        public String type() {
            return TYPE;
        }
    }

    /** A command for the host; {@code name} is one of {@link CommandSpec#NAMES}, {@code args} its flat arguments. */
    record Command(String commandId, String name, JsonNode args) implements ServerMessage {
        public static final String TYPE = "command";

        public String type() {
            return TYPE;
        }
    }

    /** A person's answer to an approval: allow | deny ({@link ApprovalBehavior}). */
    record ApprovalDecision(String approvalId, ApprovalBehavior behavior, String message, JsonNode updatedInput,
                            JsonNode updatedPermissions) implements ServerMessage {
        public static final String TYPE = "approval.decision";

        public String type() {
            return TYPE;
        }
    }

    /** Sent before the server closes a link it refuses (also given as the close reason). */
    record Error(String code, String message) implements ServerMessage {
        public static final String TYPE = "error";

        public String type() {
            return TYPE;
        }
    }

    record Unknown(String type, JsonNode payload) implements ServerMessage {
    }
}
