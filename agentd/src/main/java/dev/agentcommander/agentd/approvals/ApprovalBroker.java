package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.panes.ScreenMenu;
import dev.agentcommander.agentd.panes.StatusDetector;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.PermissionChoices;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.NamedLoop;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
    /** How long pressed menu keys get to make the dialog leave the screen. */
    static final Duration KEYS_CONFIRM = Duration.ofSeconds(2);

    private final Outbound outbound;
    private final StatusDetector status;
    private final Tmux tmux;
    private final Clock clock;
    private final ApprovalMode mode;
    private final Duration timeout;
    private final TimeoutAction timeoutAction;
    private final int maxWaiting;
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Approval> waiting = new ConcurrentHashMap<>();
    /** Released when an approval starts waiting: wakes the idle expiry loop. */
    private final Semaphore opened = new Semaphore(0);
    /** How long the expiry loop sleeps while nothing waits (it is woken when something does). */
    static final Duration IDLE_SWEEP = Duration.ofSeconds(5);
    private final RecentIds resolvedIds = new RecentIds(REMEMBERED_RESOLVED);
    private final ToolCalls toolCalls = new ToolCalls();
    private final MenuKeys keys;
    private final InPaneAnswers inPane;
    private volatile boolean closed;
    private NamedLoop sweeper;

    /**
     * @param tmux       used only in keys mode (may be null when mode is hook)
     * @param timeout    {@code approvals.timeout_seconds}: then the request expires and Claude shows its prompt
     * @param maxWaiting bound on requests held at once; more are answered empty at once
     */
    public ApprovalBroker(Outbound outbound, StatusDetector status, Tmux tmux, Clock clock, ApprovalMode mode,
                          Duration timeout, int maxWaiting) {
        this(outbound, status, tmux, clock, mode, timeout, TimeoutAction.FALLBACK, maxWaiting);
    }

    /**
     * @param timeoutAction {@code approvals.timeout_action}: what an expired hook request answers (keys-mode
     *                      menus are left on screen either way: a key pressed into a pane nobody watches could
     *                      land in whatever replaced the menu)
     */
    public ApprovalBroker(Outbound outbound, StatusDetector status, Tmux tmux, Clock clock, ApprovalMode mode,
                          Duration timeout, TimeoutAction timeoutAction, int maxWaiting) {
        this.timeoutAction = timeoutAction;
        this.outbound = outbound;
        this.status = status;
        this.tmux = tmux;
        this.clock = clock;
        this.mode = mode;
        this.timeout = timeout;
        this.maxWaiting = maxWaiting;
        this.keys = new MenuKeys(tmux, this::send, KEYS_CONFIRM);
        this.inPane = new InPaneAnswers(toolCalls, waiting.values(), a -> resolveOnce(a, ApprovalOutcome.CANCELLED,
                AgentMessage.ApprovalResolved.ANSWERED_IN_PANE));
    }

    /** Defaults: 600 s, 256 waiters, system UTC clock. */
    public ApprovalBroker(Outbound outbound, StatusDetector status, Tmux tmux, ApprovalMode mode) {
        this(outbound, status, tmux, Clock.systemUTC(), mode, Duration.ofSeconds(600), 256);
    }

    /**
     * Starts the expiry loop ({@code approval-expiry}): checks deadlines against the clock every 200 ms while an
     * approval waits; with none waiting it sleeps until one is opened (or {@link #IDLE_SWEEP} passes), so an idle
     * daemon does not wake five times a second for nothing (docs/benchmarks.md, 2026-12-02 "idle work").
     */
    public ApprovalBroker start() {
        sweeper = NamedLoop.start("approval-expiry", () -> {
            if (waiting.isEmpty()) {
                if (opened.tryAcquire(IDLE_SWEEP.toMillis(), TimeUnit.MILLISECONDS)) {
                    opened.drainPermits();
                }
            } else {
                Thread.sleep(200);
            }
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

    public TimeoutAction timeoutAction() {
        return timeoutAction;
    }

    /** Requests held right now (hook and keys). */
    public int waitingCount() {
        return waiting.size();
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
        Approval.ToolCall call = toolCalls.withToolUseId(paneId, ToolCalls.of(hook));
        String toolName = call.toolName();
        JsonNode toolInput = call.toolInput();
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
                            && other.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY,
                            AgentMessage.ApprovalResolved.REPLACED)) {
                        replaced.add(other);
                    }
                }
            }
            a = new Approval(newId(), Approval.Kind.HOOK, paneId, sessionId, suggestions,
                    clock.instant().plus(timeout), null, call, format);
            JsonNode review = ClaudeAnswers.review(toolName, toolInput);
            JsonNode fittedInput = JsonBudget.fit(toolInput, JsonBudget.DEFAULT_LIMIT);
            if (fittedInput != toolInput || JsonBudget.size(toolInput) + JsonBudget.size(review)
                    > JsonBudget.DEFAULT_LIMIT) {
                review = JsonBudget.fit(review, JsonBudget.DEFAULT_LIMIT / 4);
            }
            JsonNode choices = suggestions == null ? null
                    : JsonBudget.fit(PermissionChoices.describe(toolName, toolInput, suggestions),
                    JsonBudget.DEFAULT_LIMIT / 4);
            // waiting first: an approval rule on the control plane can answer within a round trip of the send
            waiting.put(a.id, a);
            opened.release();
            try {
                outbound.send(new AgentMessage.ApprovalRequested(a.id, sessionId, toolName, fittedInput,
                        suggestions, text(hook, "cwd", null), review, a.expiresAt.toString(),
                        ToolCalls.opaque(call.promptId()), ToolCalls.opaque(call.toolUseId()), choices, null));
            } catch (RuntimeException e) {
                waiting.remove(a.id, a);
                throw e;
            }
        } finally {
            lock.unlock();
        }
        replaced.forEach(r -> resolveOnce(r, ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.REPLACED));
        return a;
    }

    /**
     * Any other hook event of a pane (the hook receiver calls this for each): a sign, perhaps, that the person
     * answered a held request's dialog in the pane ({@link InPaneAnswers}).
     */
    public void hookEvent(String paneId, String event, JsonNode hook) {
        inPane.hookEvent(paneId, event, hook);
    }

    /** The pane scanner's view of a pane after each poll: whether Claude's dialog shows ({@link InPaneAnswers}). */
    public void paneDialog(String paneId, boolean showing) {
        inPane.paneDialog(paneId, showing);
    }

    /**
     * A permission menu appeared on a pane's screen (sessions without our hooks; called by {@link ScreenApprovals}
     * for the pane scanner). In keys or both mode it creates an approval answered by menu keys; asked again for
     * the same pane while that approval is open (or while a hook approval waits there) it returns that id. The
     * approval shows what the dialog shows: the command (Bash) or the file (Write/Edit, with {@code cwd}); a dialog
     * that did not parse is raised with {@code screen_unreadable} and no command, never a guess.
     *
     * @return the approval id, or empty in hook mode / when full
     */
    public Optional<String> requestFromScreen(String sessionId, String paneId, ScreenMenu menu, String cwd) {
        if (mode == ApprovalMode.HOOK || closed || paneId == null || menu == null) {
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
                    clock.instant().plus(timeout), menu);
            ObjectNode input = MenuKeys.toolInput(menu);
            String tool = menu.toolName() == null || menu.toolName().isBlank() ? "unknown" : menu.toolName();
            waiting.put(a.id, a); // before the send, as in open()
            opened.release();
            try {
                outbound.send(new AgentMessage.ApprovalRequested(a.id, sessionId, tool, input, null, cwd, null,
                        a.expiresAt.toString(), null, null, null, menu.readable() ? null : Boolean.TRUE));
            } catch (RuntimeException e) {
                waiting.remove(a.id, a);
                throw e;
            }
            return Optional.of(a.id);
        } finally {
            lock.unlock();
        }
    }

    /** The menu on {@code paneId} went away without us: its keys approval is withdrawn (cancelled). */
    public void screenPromptGone(String paneId) {
        for (Approval a : waiting.values()) {
            if (a.kind == Approval.Kind.KEYS && a.paneId.equals(paneId)
                    && a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY, AgentMessage.ApprovalResolved.MENU_GONE)) {
                resolveOnce(a, ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.MENU_GONE);
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
            problem = ClaudeAnswers.refusal(d, a.suggestions, a.kind == Approval.Kind.HOOK);
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

    private void answerWithKeys(Approval a, ServerMessage.ApprovalDecision d, ApprovalOutcome outcome) {
        if (!a.answer(outcome, Approval.EMPTY)) {
            return;
        }
        MenuKeys.Result r = keys.answer(a, d, outcome);
        resolveOnce(a, r.outcome(), r.reason());
    }

    /**
     * The HTTP handler is done with a hook approval. {@code delivered} false means the hook went away (curl
     * killed, or Claude answered in the pane): the approval is cancelled rather than reported as decided.
     */
    public void finish(Approval a, boolean delivered) {
        a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY, AgentMessage.ApprovalResolved.HOOK_GONE);
        ApprovalOutcome outcome = a.outcome();
        String reason = a.reason();
        if (!delivered && outcome.decided()) {
            outcome = ApprovalOutcome.CANCELLED;
            reason = AgentMessage.ApprovalResolved.HOOK_GONE;
        }
        resolveOnce(a, outcome, reason);
    }

    /** Expires every request past its deadline (called by the expiry loop; public for tests). */
    public void expireDue() {
        Instant now = clock.instant();
        byte[] hookAnswer = timeoutAction == TimeoutAction.DENY ? ClaudeAnswers.deny(TimeoutAction.EXPIRED_MESSAGE)
                : Approval.EMPTY;
        for (Approval a : waiting.values()) {
            if (!a.expiresAt.isAfter(now)
                    && a.answer(ApprovalOutcome.EXPIRED, a.kind == Approval.Kind.HOOK ? hookAnswer : Approval.EMPTY)
                    && a.kind == Approval.Kind.KEYS) {
                resolveOnce(a, ApprovalOutcome.EXPIRED, null);
            }
        }
    }

    /** Every waiting hook gets an empty answer (agentd is stopping): never an approval. */
    public void releaseHooks() {
        for (Approval a : waiting.values()) {
            if (a.kind == Approval.Kind.HOOK) {
                a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY, AgentMessage.ApprovalResolved.SHUTDOWN);
            }
        }
    }

    private void resolveOnce(Approval a, ApprovalOutcome outcome, String reason) {
        if (!a.markResolved()) {
            return;
        }
        waiting.remove(a.id, a);
        rememberResolved(a.id);
        send(new AgentMessage.ApprovalResolved(a.id, outcome, outcome.decided() ? null : reason));
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
        return resolvedIds.add(id);
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
            if (a.kind == Approval.Kind.KEYS && a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY,
                    AgentMessage.ApprovalResolved.SHUTDOWN)) {
                resolveOnce(a, ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.SHUTDOWN);
            }
        }
    }
}
