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

    /**
     * The link is alive. Since 2026-12-02 it may say how agentd itself is doing, so the control plane can show and
     * export it without asking: {@code outboxBacklog}, the messages in its outbox not yet acked, and
     * {@code rssBytes}, its own resident memory (VmRSS of /proc/self/status). Both optional (null when unknown,
     * absent from an older agent); a negative value is refused.
     */
    record Heartbeat(Long outboxBacklog, Long rssBytes) implements AgentMessage {
        public static final String TYPE = "agent.heartbeat";

        /** A heartbeat that says nothing about agentd (an older agent's). */
        public Heartbeat() {
            this(null, null);
        }

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

    /**
     * A pane's screen as it is now (base64 of {@code capture-pane -p -e -J}), an exact cut of the stream: the
     * chunks after it start at {@code offset} (null = 0). {@code reason} says why it was taken: {@link #START}
     * (null too) before the first chunk; {@link #KEYFRAME}, a periodic cut so that the server's tail for late
     * joiners stays short (a viewer already drawing the stream does not need it); {@link #RESYNC}, output before it
     * was skipped (tmux paused the pane because agentd fell behind), so every viewer must redraw from it.
     */
    record Snapshot(String sessionId, String subscriptionId, int cols, int rows, Integer cursorX, Integer cursorY,
                    String data, Long offset, String reason) implements AgentMessage {
        public static final String TYPE = "snapshot";
        public static final String START = "start";
        public static final String KEYFRAME = "keyframe";
        public static final String RESYNC = "resync";

        /** The stream offset the screen is cut at (0 when not given). */
        public long cutAt() {
            return offset == null ? 0 : offset;
        }

        /** Whether a viewer already drawing the stream may skip it (only a keyframe; unknown reasons redraw). */
        public boolean keyframe() {
            return KEYFRAME.equals(reason);
        }

        /** Whether output before it was skipped (viewers are told so before the redraw). */
        public boolean resync() {
            return RESYNC.equals(reason);
        }

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
     * {@code promptId} and {@code toolUseId} tie it to the hook events of the same turn and tool call (Claude's
     * PermissionRequest has no {@code tool_use_id}: agentd takes it from the PreToolUse before it).
     * {@code permissionChoices} says what each of {@code permissionSuggestions} really does
     * ({@link PermissionChoices}), so nobody reads a session-only grant as "always". {@code screenUnreadable}:
     * a menu read off the screen (keys mode) whose dialog did not parse; {@code toolInput} then holds no command.
     */
    record ApprovalRequested(String approvalId, String sessionId, String toolName, JsonNode toolInput,
                             JsonNode permissionSuggestions, String cwd, JsonNode review, String expiresAt,
                             String promptId, String toolUseId, JsonNode permissionChoices,
                             Boolean screenUnreadable)
            implements AgentMessage {
        public static final String TYPE = "approval.requested";

        /** Without the fields added in 2026-12 (prompt and tool-call ids, choices, unreadable screens). */
        public ApprovalRequested(String approvalId, String sessionId, String toolName, JsonNode toolInput,
                                 JsonNode permissionSuggestions, String cwd, JsonNode review, String expiresAt) {
            this(approvalId, sessionId, toolName, toolInput, permissionSuggestions, cwd, review, expiresAt, null,
                    null, null, null);
        }

        public String type() {
            return TYPE;
        }
    }

    /**
     * The approval ended on the host: allowed | denied | expired | cancelled ({@link ApprovalOutcome}), and why
     * when it was cancelled ({@code reason}, one of {@link #REASONS}; free text from a newer agent is kept as is).
     */
    record ApprovalResolved(String approvalId, ApprovalOutcome outcome, String reason) implements AgentMessage {
        public static final String TYPE = "approval.resolved";
        /** The person answered Claude's dialog in the pane (the tool ran, or the turn went on without us). */
        public static final String ANSWERED_IN_PANE = "answered_in_pane";
        /** The waiting hook went away (Claude killed it: "No"/Escape in the pane, or Claude exited). */
        public static final String HOOK_GONE = "hook_gone";
        /** Menu keys were pressed but the dialog did not leave the screen. */
        public static final String KEYS_UNCONFIRMED = "keys_unconfirmed";
        /** The decision could not be typed into the menu (edited input, a lasting grant, an unreadable dialog). */
        public static final String KEYS_UNSUPPORTED = "keys_unsupported";
        /** The menu the approval was raised for is no longer on screen. */
        public static final String MENU_GONE = "menu_gone";
        /** agentd is stopping. */
        public static final String SHUTDOWN = "shutdown";
        /** A hook approval took over the pane from a keys approval. */
        public static final String REPLACED = "replaced";
        public static final List<String> REASONS = List.of(ANSWERED_IN_PANE, HOOK_GONE, KEYS_UNCONFIRMED,
                KEYS_UNSUPPORTED, MENU_GONE, SHUTDOWN, REPLACED);

        public ApprovalResolved(String approvalId, ApprovalOutcome outcome) {
            this(approvalId, outcome, null);
        }

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
