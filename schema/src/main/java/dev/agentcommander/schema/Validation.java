package dev.agentcommander.schema;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Field checks that the type system cannot make: required ids and a bound on every value. One exhaustive switch
 * per direction, so a new message type does not compile until someone decides what it requires.
 *
 * <p>Why every field is bounded here, at the door: a value the database cannot store (an id too long for its
 * index, a time outside {@code timestamptz}, a NUL in text) would otherwise fail the whole batch it travels in,
 * and a frame that fails the same way every time it is resent wedges the host's link. Refused here, it gets an
 * {@code invalid} error and changes nothing; the link goes on. The bounds are in docs/protocol.md ("Limits").
 */
final class Validation {
    /** Display names: a host name, a session name, a tmux session or window, an agent version. */
    static final int MAX_NAME = 256;
    /** A pane title, a git branch, a tool name. */
    static final int MAX_LABEL = 1024;
    /** A directory (cwd, git repo): PATH_MAX on Linux. */
    static final int MAX_PATH = 4096;
    /** Free text for a person (a command's error, a decision's message). */
    static final int MAX_TEXT = 16 * 1024;
    /** Wire type names and short codes (outcomes, error codes, capabilities, command names). */
    static final int MAX_CODE = 64;
    static final int MAX_CAPABILITIES = 64;
    /** Terminal dimensions and cursor positions. */
    static final int MAX_CELLS = 10_000;
    /** The earliest and latest instant accepted anywhere (both well inside Postgres' timestamptz). */
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** A message type or a short code: letters, digits and {@code _ . : -}. */
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_CODE + "}");
    /** An event type ({@code hook.} and a hook event name of up to 64 characters fits): as a code, longer. */
    static final int MAX_EVENT_TYPE = 128;
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_EVENT_TYPE + "}");

    private Validation() {
    }

    static void check(AgentMessage m) {
        switch (m) {
            case AgentMessage.Hello h -> {
                String t = AgentMessage.Hello.TYPE;
                require(h.hostName(), t, "host_name");
                text(h.hostName(), MAX_NAME, t, "host_name");
                text(h.agentVersion(), MAX_NAME, t, "agent_version");
                capabilities(h.capabilities());
            }
            case AgentMessage.Heartbeat h -> {
                if (h.outboxBacklog() != null && h.outboxBacklog() < 0) {
                    fail(AgentMessage.Heartbeat.TYPE, "outbox_backlog", "must be >= 0");
                }
                if (h.rssBytes() != null && h.rssBytes() < 0) {
                    fail(AgentMessage.Heartbeat.TYPE, "rss_bytes", "must be >= 0");
                }
            }
            case AgentMessage.SessionsUpsert u -> {
                if (u.session() == null) {
                    fail(AgentMessage.SessionsUpsert.TYPE, "session", "is required");
                }
                session(u.session());
            }
            case AgentMessage.SessionsRemoved r -> id(r.sessionId(), true, AgentMessage.SessionsRemoved.TYPE,
                    "session_id");
            case AgentMessage.Snapshot s -> {
                String t = AgentMessage.Snapshot.TYPE;
                id(s.sessionId(), true, t, "session_id");
                id(s.subscriptionId(), true, t, "subscription_id");
                cells(s.cols(), t, "cols");
                cells(s.rows(), t, "rows");
                cells(s.cursorX(), t, "cursor_x");
                cells(s.cursorY(), t, "cursor_y");
                require(s.data(), t, "data");
                if (s.offset() != null && s.offset() < 0) {
                    fail(t, "offset", "must be >= 0");
                }
                text(s.reason(), MAX_LABEL, t, "reason");
            }
            case AgentMessage.ConsoleChunk c -> {
                String t = AgentMessage.ConsoleChunk.TYPE;
                id(c.sessionId(), true, t, "session_id");
                id(c.subscriptionId(), true, t, "subscription_id");
                if (c.offset() < 0) {
                    fail(t, "offset", "must be >= 0");
                }
                require(c.data(), t, "data");
            }
            case AgentMessage.EventsAppend e -> {
                id(e.sessionId(), false, AgentMessage.EventsAppend.TYPE, "session_id");
                require(e.eventType(), AgentMessage.EventsAppend.TYPE, "event_type");
                if (!EVENT_TYPE.matcher(e.eventType()).matches()) {
                    fail(AgentMessage.EventsAppend.TYPE, "event_type", "must be 1 to " + MAX_EVENT_TYPE
                            + " letters, digits or _ . : -");
                }
            }
            case AgentMessage.ApprovalRequested a -> {
                String t = AgentMessage.ApprovalRequested.TYPE;
                id(a.approvalId(), true, t, "approval_id");
                id(a.sessionId(), false, t, "session_id");
                require(a.toolName(), t, "tool_name");
                text(a.toolName(), MAX_LABEL, t, "tool_name");
                text(a.cwd(), MAX_PATH, t, "cwd");
                expiry(a.expiresAt(), t);
                id(a.promptId(), false, t, "prompt_id");
                id(a.toolUseId(), false, t, "tool_use_id");
            }
            case AgentMessage.ApprovalResolved a -> {
                id(a.approvalId(), true, AgentMessage.ApprovalResolved.TYPE, "approval_id");
                if (a.outcome() == null) { // UNKNOWN passes: the control plane acks and ignores it
                    fail(AgentMessage.ApprovalResolved.TYPE, "outcome", "is required");
                }
                if (a.reason() != null) {
                    code(a.reason(), AgentMessage.ApprovalResolved.TYPE, "reason");
                }
            }
            case AgentMessage.CommandsResult r -> {
                id(r.commandId(), true, AgentMessage.CommandsResult.TYPE, "command_id");
                text(r.error(), MAX_TEXT, AgentMessage.CommandsResult.TYPE, "error");
            }
            case AgentMessage.Unknown u -> { }
        }
    }

    static void check(ServerMessage m) {
        switch (m) {
            case ServerMessage.Welcome w -> {
                text(w.serverVersion(), MAX_NAME, ServerMessage.Welcome.TYPE, "server_version");
                id(w.hostId(), false, ServerMessage.Welcome.TYPE, "host_id");
            }
            case ServerMessage.Ack a -> { }
            case ServerMessage.Command c -> {
                id(c.commandId(), true, ServerMessage.Command.TYPE, "command_id");
                code(c.name(), ServerMessage.Command.TYPE, "name");
            }
            case ServerMessage.ApprovalDecision d -> {
                String t = ServerMessage.ApprovalDecision.TYPE;
                id(d.approvalId(), true, t, "approval_id");
                if (d.behavior() == null) {
                    fail(t, "behavior", "is required"); // UNKNOWN passes: agentd refuses it, never allows
                }
                text(d.message(), MAX_TEXT, t, "message");
            }
            case ServerMessage.Error e -> {
                text(e.code(), MAX_CODE, ServerMessage.Error.TYPE, "code");
                text(e.message(), MAX_TEXT, ServerMessage.Error.TYPE, "message");
            }
            case ServerMessage.Unknown u -> { }
        }
    }

    /** The envelope's {@code type}: a short code, so a junk type cannot fill a log line. */
    static void type(String type) {
        if (!CODE.matcher(type).matches()) {
            throw new ProtocolException(ProtocolException.Code.MALFORMED,
                    "type must be 1 to " + MAX_CODE + " letters, digits or _ . : -");
        }
    }

    /** An instant the database can store; {@code what} names the field in the error. */
    static Instant instant(Instant v, String type, String what) {
        if (v != null && (v.isBefore(EARLIEST) || v.isAfter(LATEST))) {
            fail(type, what, "must lie between " + EARLIEST + " and " + LATEST);
        }
        return v;
    }

    private static void session(Session s) {
        String t = AgentMessage.SessionsUpsert.TYPE;
        id(s.sessionId(), true, t, "session.session_id");
        text(s.name(), MAX_NAME, t, "session.name");
        if (s.tmux() != null) {
            text(s.tmux().session(), MAX_NAME, t, "session.tmux.session");
            text(s.tmux().window(), MAX_NAME, t, "session.tmux.window");
            if (s.tmux().paneId() != null && !Ids.isPaneId(s.tmux().paneId())) {
                fail(t, "session.tmux.pane_id", "must match " + Ids.PANE.pattern());
            }
        }
        text(s.cwd(), MAX_PATH, t, "session.cwd");
        if (s.git() != null) {
            text(s.git().repo(), MAX_PATH, t, "session.git.repo");
            text(s.git().branch(), MAX_LABEL, t, "session.git.branch");
        }
        text(s.title(), MAX_LABEL, t, "session.title");
        text(s.threadId(), Ids.MAX_LENGTH, t, "session.thread_id");
        if (s.usage() != null) {
            Session.Usage u = s.usage();
            for (Long n : new Long[] {u.inputTokens(), u.cachedInputTokens(), u.cacheWriteInputTokens(),
                    u.outputTokens(), u.reasoningOutputTokens()}) {
                if (n != null && n < 0) {
                    fail(t, "session.usage", "token counts must be >= 0");
                }
            }
        }
        instant(s.startedAt(), t, "session.started_at");
        instant(s.lastActivityAt(), t, "session.last_activity_at");
    }

    private static void capabilities(List<String> caps) {
        if (caps == null) {
            return;
        }
        if (caps.size() > MAX_CAPABILITIES) {
            fail(AgentMessage.Hello.TYPE, "capabilities", "at most " + MAX_CAPABILITIES + " entries");
        }
        caps.forEach(c -> text(c, MAX_CODE, AgentMessage.Hello.TYPE, "capabilities[]"));
    }

    /** An approval's expiry: free-form on the wire (not an instant = no expiry), but an instant must be storable. */
    private static void expiry(String v, String type) {
        if (v == null) {
            return;
        }
        text(v, MAX_CODE, type, "expires_at");
        Instant at;
        try {
            at = Instant.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            return;
        }
        instant(at, type, "expires_at");
    }

    private static void id(String v, boolean required, String type, String field) {
        if (v == null && !required) {
            return;
        }
        require(v, type, field);
        if (!Ids.isOpaque(v)) {
            fail(type, field, "must be 1 to " + Ids.MAX_LENGTH + " letters, digits or _ . : -");
        }
    }

    private static void code(String v, String type, String field) {
        require(v, type, field);
        if (!CODE.matcher(v).matches()) {
            fail(type, field, "must be 1 to " + MAX_CODE + " letters, digits or _ . : -");
        }
    }

    private static void cells(Integer v, String type, String field) {
        if (v != null && (v < 0 || v > MAX_CELLS)) {
            fail(type, field, "must be 0 to " + MAX_CELLS);
        }
    }

    /** Optional text: at most {@code max} characters and no NUL (which Postgres cannot store in text). */
    private static void text(String v, int max, String type, String field) {
        if (v == null) {
            return;
        }
        if (v.length() > max) {
            fail(type, field, "at most " + max + " characters");
        }
        if (v.indexOf('\0') >= 0) {
            fail(type, field, "must not contain NUL");
        }
    }

    private static void require(String value, String type, String field) {
        if (value == null || value.isBlank()) {
            fail(type, field, "is required");
        }
    }

    private static void fail(String type, String field, String problem) {
        throw new ProtocolException(ProtocolException.Code.INVALID, type + ": " + field + " " + problem);
    }
}
