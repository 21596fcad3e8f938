package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.panes.ScreenMenu;
import dev.agentcommander.schema.ApprovalOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One pending permission request. It is answered at most once (decision, expiry, withdrawal or shutdown: first
 * wins) and resolved at most once, so a resent decision or a race between the hook and the pane is harmless.
 * Public only so the hook receiver can wait on it ({@link #await}) and hand it back
 * ({@link ApprovalBroker#finish}); everything that decides stays in this package.
 */
public final class Approval {
    enum Kind { HOOK, KEYS }

    static final byte[] EMPTY = new byte[0];

    final String id;
    final Kind kind;
    final String paneId;
    final String sessionId;
    final JsonNode suggestions;
    final Instant expiresAt;
    /** For keys approvals: the menu it was raised for (keys go only into that menu); null for hook approvals. */
    final ScreenMenu menu;
    /** What ties a hook approval to the later hooks of the same tool call (null for keys approvals). */
    final ToolCall call;
    /** Whose format a hook approval is answered in (keys approvals: CLAUDE, unused). */
    final HookFormat format;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private ApprovalOutcome outcome;
    private String reason;
    private boolean resolved;
    /** Hook approvals: polls in a row that showed no dialog on the pane after one had shown. */
    private int menuSeen;
    private int menuMissing;

    /**
     * The tool call a PermissionRequest is about, as Claude names it in PreToolUse / PostToolUse: its session,
     * prompt (turn), tool and input, and the model's {@code tool_use_id} when a PreToolUse told us.
     */
    record ToolCall(String claudeSession, String promptId, String toolName, JsonNode toolInput, String toolUseId) {
        /** The same call: by tool_use_id when both have one, else the same session, tool and input. */
        boolean sameCall(ToolCall other) {
            if (toolUseId != null && other.toolUseId != null) {
                return toolUseId.equals(other.toolUseId);
            }
            return java.util.Objects.equals(claudeSession, other.claudeSession) && toolName.equals(other.toolName)
                    && toolInput.equals(other.toolInput);
        }
    }

    Approval(String id, Kind kind, String paneId, String sessionId, JsonNode suggestions, Instant expiresAt,
             ScreenMenu menu) {
        this(id, kind, paneId, sessionId, suggestions, expiresAt, menu, null, HookFormat.CLAUDE);
    }

    Approval(String id, Kind kind, String paneId, String sessionId, JsonNode suggestions, Instant expiresAt,
             ScreenMenu menu, ToolCall call, HookFormat format) {
        this.format = format;
        this.id = id;
        this.call = call;
        this.menu = menu;
        this.kind = kind;
        this.paneId = paneId;
        this.sessionId = sessionId;
        this.suggestions = suggestions;
        this.expiresAt = expiresAt;
    }

    /** Claims the answer; false if something else answered first. */
    synchronized boolean answer(ApprovalOutcome outcome, byte[] answer) {
        return answer(outcome, answer, null);
    }

    /** Claims the answer with the reason it ended without a decision ({@code approval.resolved.reason}). */
    synchronized boolean answer(ApprovalOutcome outcome, byte[] answer, String reason) {
        if (this.outcome != null) {
            return false;
        }
        this.outcome = outcome;
        this.reason = reason;
        body.complete(answer);
        return true;
    }

    synchronized ApprovalOutcome outcome() {
        return outcome;
    }

    synchronized String reason() {
        return reason;
    }

    /**
     * A poll of the pane: whether it shows a dialog. True once a dialog that had shown is missing on {@code polls}
     * polls in a row: the person answered it in the pane (a redraw can hide it for one poll).
     */
    synchronized boolean menuGone(boolean showing, int polls) {
        if (showing) {
            menuSeen++;
            menuMissing = 0;
            return false;
        }
        return menuSeen > 0 && ++menuMissing >= polls;
    }

    synchronized boolean open() {
        return outcome == null;
    }

    /** True exactly once: the caller then sends {@code approval.resolved}. */
    synchronized boolean markResolved() {
        if (resolved) {
            return false;
        }
        resolved = true;
        return true;
    }

    /** The answer for the hook, or null if none came within {@code wait}. */
    public byte[] await(Duration wait) throws InterruptedException {
        try {
            return body.get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            return EMPTY;
        }
    }
}
