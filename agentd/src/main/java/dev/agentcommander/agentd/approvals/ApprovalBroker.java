package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.panes.ScreenMenu;
import dev.agentcommander.agentd.panes.StatusDetector;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.NamedLoop;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Holds Claude Code permission requests until a person decides on the dashboard, the request expires, or the
 * pane answers by itself. It is the one place that turns a decision into an answer, so the rule "a failure
 * never approves" lives here: every path other than an explicit allow answers with an empty body.
 * Every approval sends exactly one {@code approval.requested} and one {@code approval.resolved}.
 */
public final class ApprovalBroker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ApprovalBroker.class.getName());
    private static final int REMEMBERED_RESOLVED = 4096;

    private final Outbound outbound;
    private final StatusDetector status;
    private final Tmux tmux;
    private final Clock clock;
    private final ApprovalMode mode;
    private final Duration timeout;
    private final int maxWaiting;
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Approval> waiting = new ConcurrentHashMap<>();
    private final Map<String, Boolean> resolvedIds = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_RESOLVED;
        }
    };
    private volatile boolean closed;
    private NamedLoop sweeper;

    /**
     * @param tmux       used only in keys mode (may be null when mode is hook)
     * @param timeout    {@code approvals.timeout_seconds}: then the request expires and Claude shows its prompt
     * @param maxWaiting bound on requests held at once; more are answered empty at once
     */
    public ApprovalBroker(Outbound outbound, StatusDetector status, Tmux tmux, Clock clock, ApprovalMode mode,
                          Duration timeout, int maxWaiting) {
        this.outbound = outbound;
        this.status = status;
        this.tmux = tmux;
        this.clock = clock;
        this.mode = mode;
        this.timeout = timeout;
        this.maxWaiting = maxWaiting;
    }

    /** Defaults: 600 s, 256 waiters, system UTC clock. */
    public ApprovalBroker(Outbound outbound, StatusDetector status, Tmux tmux, ApprovalMode mode) {
        this(outbound, status, tmux, Clock.systemUTC(), mode, Duration.ofSeconds(600), 256);
    }

    /** Starts the expiry loop ({@code approval-expiry}: checks deadlines against the clock every 200 ms). */
    public ApprovalBroker start() {
        sweeper = NamedLoop.start("approval-expiry", () -> {
            Thread.sleep(200);
            expireDue();
        });
        return this;
    }

    public ApprovalMode mode() {
        return mode;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Requests held right now (hook and keys). */
    public int waitingCount() {
        return waiting.size();
    }

    /** Thrown when {@code maxWaiting} requests are already held. */
    public static final class TooManyWaiting extends RuntimeException {
        TooManyWaiting(int max) {
            super("already " + max + " approvals waiting");
        }
    }

    /**
     * A PermissionRequest arrived through the hook: sends {@code approval.requested} and returns the approval the
     * HTTP handler waits on, or null in keys mode (the hook is then answered empty at once).
     */
    public Approval open(String paneId, String sessionId, JsonNode hook) {
        return open(paneId, sessionId, hook, HookFormat.CLAUDE);
    }

    /** As {@link #open(String, String, JsonNode)}, answered in {@code format} (Codex's hooks: {@code CODEX}). */
    public Approval open(String paneId, String sessionId, JsonNode hook, HookFormat format) {
        if (mode == ApprovalMode.KEYS || closed) {
            return null;
        }
        String toolName = text(hook, "tool_name", "unknown");
        JsonNode input = hook.path("tool_input");
        JsonNode toolInput = input.isObject() ? input : JsonNodeFactory.instance.objectNode();
        JsonNode suggestions = hook.get("permission_suggestions");
        List<Approval> replaced = new ArrayList<>();
        Approval a;
        lock.lock();
        try {
            if (waiting.size() >= maxWaiting) {
                throw new TooManyWaiting(maxWaiting);
            }
            if (paneId != null) {
                for (Approval other : waiting.values()) {
                    if (other.kind == Approval.Kind.KEYS && paneId.equals(other.paneId)
                            && other.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY)) {
                        replaced.add(other);
                    }
                }
            }
            a = new Approval(newId(), Approval.Kind.HOOK, paneId, sessionId, suggestions,
                    clock.instant().plus(timeout), null, format);
            JsonNode review = ClaudeAnswers.review(toolName, toolInput);
            JsonNode fittedInput = JsonBudget.fit(toolInput, JsonBudget.DEFAULT_LIMIT);
            if (fittedInput != toolInput || JsonBudget.size(toolInput) + JsonBudget.size(review)
                    > JsonBudget.DEFAULT_LIMIT) {
                review = JsonBudget.fit(review, JsonBudget.DEFAULT_LIMIT / 4);
            }
            outbound.send(new AgentMessage.ApprovalRequested(a.id, sessionId, toolName, fittedInput,
                    suggestions, text(hook, "cwd", null), review, a.expiresAt.toString()));
            waiting.put(a.id, a);
        } finally {
            lock.unlock();
        }
        replaced.forEach(r -> resolveOnce(r, ApprovalOutcome.CANCELLED));
        return a;
    }

    /**
     * A permission menu appeared on a pane's screen (sessions without our hooks; called by {@link ScreenApprovals}
     * for the pane scanner). In keys or both mode it creates an approval answered by menu keys; asked again for
     * the same pane while that approval is open (or while a hook approval waits there) it returns that id.
     *
     * @return the approval id, or empty in hook mode / when full
     */
    public Optional<String> requestFromScreen(String sessionId, String paneId, String toolName, String summary) {
        if (mode == ApprovalMode.HOOK || closed || paneId == null) {
            return Optional.empty();
        }
        lock.lock();
        try {
            for (Approval other : waiting.values()) {
                if (paneId.equals(other.paneId) && other.open()) {
                    return Optional.of(other.id);
                }
            }
            if (waiting.size() >= maxWaiting) {
                return Optional.empty();
            }
            Approval a = new Approval(newId(), Approval.Kind.KEYS, paneId, sessionId, null,
                    clock.instant().plus(timeout), new ScreenMenu(toolName, summary));
            ObjectNode input = JsonNodeFactory.instance.objectNode().put("summary", summary);
            outbound.send(new AgentMessage.ApprovalRequested(a.id, sessionId,
                    toolName == null || toolName.isBlank() ? "unknown" : toolName, input, null, null, null,
                    a.expiresAt.toString()));
            waiting.put(a.id, a);
            return Optional.of(a.id);
        } finally {
            lock.unlock();
        }
    }

    /** The menu on {@code paneId} went away without us: its keys approval is withdrawn (cancelled). */
    public void screenPromptGone(String paneId) {
        for (Approval a : waiting.values()) {
            if (a.kind == Approval.Kind.KEYS && a.paneId.equals(paneId)
                    && a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY)) {
                resolveOnce(a, ApprovalOutcome.CANCELLED);
            }
        }
    }

    /** A decision from the control plane; idempotent by approval id (the server may resend one). */
    public void onDecision(ServerMessage.ApprovalDecision d) {
        if (d == null || d.approvalId() == null) {
            return;
        }
        Approval a = waiting.get(d.approvalId());
        if (a == null) {
            if (rememberResolved(d.approvalId())) {
                send(new AgentMessage.ApprovalResolved(d.approvalId(), ApprovalOutcome.EXPIRED));
            }
            return;
        }
        String problem = a.kind == Approval.Kind.HOOK && a.format == HookFormat.CODEX ? CodexAnswers.refusal(d) : null;
        if (problem == null) {
            problem = invalid(d, a);
        }
        if (problem != null) {
            LOG.log(System.Logger.Level.WARNING, "approval {0}: decision refused: {1}", a.id, problem);
            send(new AgentMessage.EventsAppend(a.sessionId, "approval.decision_refused",
                    JsonNodeFactory.instance.objectNode().put("approval_id", a.id).put("reason", problem)));
            return;
        }
        boolean allow = d.behavior() == ApprovalBehavior.ALLOW;
        ApprovalOutcome outcome = d.behavior().outcome();
        if (a.kind == Approval.Kind.KEYS) { // tmux calls stay off the link's inbound thread
            Thread.ofVirtual().name("approval-keys").start(() -> answerWithKeys(a, d, outcome));
            return;
        }
        if (a.format == HookFormat.CODEX) {
            a.answer(outcome, allow ? CodexAnswers.allow() : CodexAnswers.deny(d.message()));
            return;
        }
        a.answer(outcome, allow ? ClaudeAnswers.allow(d.updatedInput(), d.updatedPermissions())
                : ClaudeAnswers.deny(d.message()));
    }

    private static String invalid(ServerMessage.ApprovalDecision d, Approval a) {
        if (d.behavior() != ApprovalBehavior.ALLOW && d.behavior() != ApprovalBehavior.DENY) {
            return "behavior must be allow or deny"; // UNKNOWN (a newer server's word) is never an allow
        }
        JsonNode in = d.updatedInput();
        if (in != null && !in.isNull() && !in.isObject()) {
            return "updated_input must be a JSON object";
        }
        JsonNode perms = d.updatedPermissions();
        if (perms != null && !perms.isNull()) {
            if (!perms.isArray()) {
                return "updated_permissions must be an array";
            }
            for (JsonNode p : perms) {
                boolean offered = false;
                if (a.suggestions != null && a.suggestions.isArray()) {
                    for (JsonNode s : a.suggestions) {
                        offered |= s.equals(p);
                    }
                }
                if (!offered && a.kind == Approval.Kind.HOOK) {
                    return "updated_permissions must echo one of the permission_suggestions";
                }
            }
        }
        return null;
    }

    private void answerWithKeys(Approval a, ServerMessage.ApprovalDecision d, ApprovalOutcome outcome) {
        if (!a.answer(outcome, Approval.EMPTY)) {
            return;
        }
        ScreenMenu raisedFor = a.menu;
        String key = null;
        String unsupported = null;
        if (outcome == ApprovalOutcome.DENIED) {
            key = "Escape";
        } else if (d.updatedInput() != null && d.updatedInput().isObject()) {
            unsupported = "edited input needs the hook"; // cannot be typed into a menu: left to the person
        } else if (d.updatedPermissions() != null && !d.updatedPermissions().isEmpty()) {
            // the menu's lasting option ("don't ask again …") differs per menu and was never shown to the reviewer
            unsupported = "a lasting permission cannot be chosen with menu keys; allow once, or use the hook";
        } else {
            key = "1";
        }
        ApprovalOutcome result = outcome;
        if (unsupported != null) {
            result = ApprovalOutcome.CANCELLED;
            send(new AgentMessage.EventsAppend(a.sessionId, "approval.keys_unsupported", JsonNodeFactory.instance
                    .objectNode().put("approval_id", a.id).put("reason", unsupported)));
        } else {
            try {
                // the person may have answered at the pane and Claude moved on: press only into the same menu
                ScreenMenu now = ScreenMenu.onScreen(tmux.run("capture-pane", "-p", "-J", "-t", a.paneId));
                if (raisedFor == null || !raisedFor.equals(now)) {
                    result = ApprovalOutcome.CANCELLED;
                    send(new AgentMessage.EventsAppend(a.sessionId, "approval.keys_stale", JsonNodeFactory.instance
                            .objectNode().put("approval_id", a.id).put("reason", "the menu is no longer on screen")));
                } else {
                    tmux.run("send-keys", "-t", a.paneId, key);
                }
            } catch (TmuxException | NullPointerException e) {
                LOG.log(System.Logger.Level.WARNING, "approval {0}: send-keys failed: {1}", a.id, e.getMessage());
                result = ApprovalOutcome.CANCELLED;
            }
        }
        resolveOnce(a, result);
    }

    /**
     * The HTTP handler is done with a hook approval. {@code delivered} false means the hook went away (curl
     * killed, or Claude answered in the pane): the approval is cancelled rather than reported as decided.
     */
    public void finish(Approval a, boolean delivered) {
        a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY);
        ApprovalOutcome outcome = a.outcome();
        if (!delivered && outcome.decided()) {
            outcome = ApprovalOutcome.CANCELLED;
        }
        resolveOnce(a, outcome);
    }

    /** Expires every request past its deadline (called by the expiry loop; public for tests). */
    public void expireDue() {
        Instant now = clock.instant();
        for (Approval a : waiting.values()) {
            if (!a.expiresAt.isAfter(now) && a.answer(ApprovalOutcome.EXPIRED, Approval.EMPTY)
                    && a.kind == Approval.Kind.KEYS) {
                resolveOnce(a, ApprovalOutcome.EXPIRED);
            }
        }
    }

    /** Every waiting hook gets an empty answer (agentd is stopping): never an approval. */
    public void releaseHooks() {
        for (Approval a : waiting.values()) {
            if (a.kind == Approval.Kind.HOOK) {
                a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY);
            }
        }
    }

    private void resolveOnce(Approval a, ApprovalOutcome outcome) {
        if (!a.markResolved()) {
            return;
        }
        waiting.remove(a.id, a);
        rememberResolved(a.id);
        send(new AgentMessage.ApprovalResolved(a.id, outcome));
        if (a.paneId != null) {
            try {
                status.hookEvent(a.paneId, "ApprovalResolved",
                        JsonNodeFactory.instance.objectNode().put("outcome", outcome.wire()).put("approval_id", a.id));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "status detector refused ApprovalResolved", e);
            }
        }
    }

    private boolean rememberResolved(String id) {
        synchronized (resolvedIds) {
            return resolvedIds.put(id, Boolean.TRUE) == null;
        }
    }

    private void send(AgentMessage m) {
        try {
            outbound.send(m);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot queue " + m.type(), e);
        }
    }

    private String newId() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return "ap_" + HexFormat.of().formatHex(b);
    }

    private static String text(JsonNode node, String field, String dflt) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : dflt;
    }

    /** Stops the expiry loop; every hook waiter is answered empty and every keys approval is cancelled. */
    @Override
    public void close() {
        closed = true;
        if (sweeper != null) {
            sweeper.close();
        }
        releaseHooks();
        for (Approval a : waiting.values()) {
            if (a.kind == Approval.Kind.KEYS && a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY)) {
                resolveOnce(a, ApprovalOutcome.CANCELLED);
            }
        }
    }
}
