package dev.agentcommander.controlplane.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.BrowserSessions;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.SignIn;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.auth.WebOrigin;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.EventRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.link.CommandService;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.ProtocolException;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionFilter;
import dev.agentcommander.schema.UiEvent;
import dev.agentcommander.schema.UiRequest;
import dev.agentcommander.schema.loop.NamedLoop;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /v1/ui}: one instance per dashboard socket. The JWT (query {@code token}) or, without one, the browser's
 * {@code ac_session} cookie is checked at the upgrade and again on every message, and the socket does not outlive
 * it ({@link UiOutbox} closes it at the token's expiry and queues nothing after it). Outbound frames go through
 * that bounded outbox and its one writer thread. {@link UiQuotas} bounds sockets per subject, subscriptions per
 * socket and the message rate. Every close carries a {@link CloseReason}. A cookie is accepted only when the
 * upgrade's {@code Origin} is this site: a page on another site could otherwise open the socket with the browser's
 * cookie (cross-site WebSocket hijacking); such an upgrade is closed 1008 {@code forbidden: origin}.
 */
public final class UiEndpoint implements WsListener {    /** Fragments are assembled up to a bit over UiRequest's own 64 KiB limit. */
    private static final int MAX_ASSEMBLED = 65 * 1024;
    /** Typing paused this long starts a new {@code session.input} audit row. */
    static final long BURST_GAP_MS = 5_000;

    /** One subscription: {@code topic} and its parsed filter. */
    record Sub(String topic, SessionFilter sessions, String sessionId, String approvalStatus,
                       ConsoleHub.Watcher watcher, Set<String> visible, AtomicLong lastSeq) {
        Sub(String topic, SessionFilter sessions, String sessionId, String approvalStatus,
            ConsoleHub.Watcher watcher) {
            this(topic, sessions, sessionId, approvalStatus, watcher, ConcurrentHashMap.newKeySet(), new AtomicLong());
        }
    }

    private final Database db;
    private final Tokens tokens;
    private final SignIn signIn;
    private final FanOut fanOut;
    private final ConsoleHub console;
    private final UiQuotas quotas;
    private final CommandService commands;
    /** Host of each session this socket typed into, and when it last did (a pause starts a new audited burst). */
    private final Map<String, String> inputHosts = new ConcurrentHashMap<>();
    private final Map<String, Long> lastInput = new ConcurrentHashMap<>();
    private final Map<String, Sub> subs = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();
    private boolean partialTooLarge;
    private String token;
    private String cookie;
    private CloseReason refusal;
    private Tokens.Principal principal;
    private boolean counted;
    private volatile WsSession session;
    private volatile boolean closed;
    private AutoCloseable fanOutHandle;
    private volatile UiOutbox outbox;
    private NamedLoop sessionWatch;

    public UiEndpoint(Database db, Tokens tokens, SignIn signIn, FanOut fanOut, ConsoleHub console, UiQuotas quotas,
                      CommandService commands) {
        this.commands = commands;
        this.db = db;
        this.tokens = tokens;
        this.signIn = signIn;
        this.fanOut = fanOut;
        this.console = console;
        this.quotas = quotas;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        token = prologue.query().first("token").orElse(null);
        if (token == null) {
            cookie = WebOrigin.cookie(headers.first(HeaderNames.COOKIE).orElse(null), BrowserSessions.COOKIE);
            if (cookie == null) {
                refusal = CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "missing token");
            } else if (!signIn.origin().allows(headers.first(HeaderNames.ORIGIN).orElse(null))) {
                refusal = CloseReason.of(CloseReason.Kind.FORBIDDEN, "origin");
            } else {
                try {
                    principal = verify().orElse(null);
                    if (principal == null) {
                        refusal = CloseReason.of(CloseReason.Kind.UNAUTHORIZED,
                                "session ended or unknown; sign in again");
                    }
                } catch (DbException e) {
                    refusal = CloseReason.of(CloseReason.Kind.UNAVAILABLE, "database unavailable");
                }
            }
        } else {
            principal = verify().orElse(null);
            if (principal == null) {
                refusal = CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "invalid or expired token");
            }
        }
        return Optional.empty();
    }

    /**
     * A cookie socket that sends nothing must not outlive its session either (sign-out, disabling, expiry): every
     * {@link BrowserSessions#CACHE_TTL} the session is looked up again (from the cache, or Postgres when it is
     * stale), and the socket closes when it has ended. A database outage is not an end: the next message decides.
     */
    private void watchSession() throws InterruptedException {
        Thread.sleep(BrowserSessions.CACHE_TTL);
        try {
            if (verify().isEmpty()) {
                close(UiOutbox.EXPIRED);
            }
        } catch (DbException e) {
            // keep the socket; a message or the next round decides
        }
    }

    /** The caller now: the JWT again, or the session (revoked, expired or disabled ends it; its role is current). */
    private Optional<Tokens.Principal> verify() {
        if (token != null) {
            return tokens.verify(token);
        }
        return signIn.sessions().lookup(cookie).map(BrowserSessions.Caller::principal);
    }

    @Override
    public void onOpen(WsSession s) {
        session = s;
        if (refusal == null && !quotas.openSocket(principal.subject())) {
            refusal = CloseReason.of(CloseReason.Kind.UNAVAILABLE, "too many sockets for this user (at most "
                    + UiQuotas.MAX_SOCKETS + "); close one");
        }
        if (refusal != null) {
            closed = true;
            s.close(refusal.code(), refusal.reason());
            return;
        }
        counted = true;
        outbox = new UiOutbox(quotas.clock(), principal.expiresAt(), frame -> session.send(frame, true),
                this::closeNow, quotas.stats());
        fanOutHandle = fanOut.subscribe(this::onChange);
        if (cookie != null) {
            synchronized (this) { // cleanup() sets closed and takes the watch under this lock
                if (!closed) {
                    sessionWatch = NamedLoop.start("ui-session-watch", this::watchSession);
                }
            }
        }
    }

    @Override
    public void onMessage(WsSession s, String part, boolean last) {
        if (closed) {
            return;
        }
        String text = part;
        if (!last || !partial.isEmpty() || partialTooLarge) {
            if (partial.length() + part.length() > MAX_ASSEMBLED) {
                partialTooLarge = true;
                partial.setLength(0);
            } else if (!partialTooLarge) {
                partial.append(part);
            }
            if (!last) {
                return;
            }
            boolean tooLarge = partialTooLarge;
            text = partial.toString();
            partial.setLength(0);
            partialTooLarge = false;
            if (tooLarge) {
                error(null, "too_large", "UI frame larger than 64 KiB");
                return;
            }
        }
        if (!quotas.message(principal.subject())) {
            error(null, "rate_limited", "too many messages from " + principal.subject() + "; slow down");
            return;
        }
        Optional<Tokens.Principal> p;
        try {
            p = verify();
        } catch (DbException e) {
            close(CloseReason.of(CloseReason.Kind.UNAVAILABLE, "database unavailable"));
            return;
        }
        if (p.isEmpty()) {
            close(UiOutbox.EXPIRED);
            return;
        }
        UiRequest req;
        try {
            req = UiRequest.parse(text);
        } catch (ProtocolException e) {
            ApiError a = ApiError.of(e);
            error(null, a.code(), a.getMessage());
            return;
        }
        switch (req) {
            case UiRequest.Ping ping -> enqueue(UiEvent.encode(new UiEvent.Pong()));
            case UiRequest.Unsubscribe u -> unsubscribe(u.sub());
            case UiRequest.Input in -> {
                if (!p.get().role().allows(Role.OPERATOR)) {
                    error(null, "forbidden", "role " + p.get().role().wire() + " may not type into a session");
                    return;
                }
                try {
                    input(p.get(), in);
                } catch (ApiError | DbException e) {
                    ApiError a = ApiError.of(e);
                    error(null, a.code(), a.getMessage());
                }
            }
            case UiRequest.Refused r -> {
                ApiError a = ApiError.of(r.error());
                error(r.sub(), a.code(), a.getMessage());
            }
            case UiRequest.Subscribe sub -> {
                if (!p.get().role().allows(Role.VIEWER)) {
                    error(sub.sub(), "forbidden", "role may not subscribe");
                    return;
                }
                try {
                    subscribe(sub);
                } catch (ApiError | DbException e) {
                    ApiError a = ApiError.of(e);
                    error(sub.sub(), a.code(), a.getMessage());
                }
            }
        }
    }

    private void subscribe(UiRequest.Subscribe req) {
        if (!subs.containsKey(req.sub()) && subs.size() >= UiQuotas.MAX_SUBSCRIPTIONS) {
            throw new ApiError(429, "too_many", "at most " + UiQuotas.MAX_SUBSCRIPTIONS
                    + " subscriptions per socket; unsubscribe first");
        }
        unsubscribe(req.sub());
        switch (req.topic()) {
            case UiRequest.Topic.Sessions t -> {
                SessionFilter filter = t.filter();
                Sub sub = new Sub("sessions", filter, null, null, null);
                keep(req.sub(), sub);
                enqueue(UiEvent.encode(new UiEvent.Subscribed(req.sub())));
                List<Session> rows = db.tx(c -> SessionRows.list(c, filter, null, 1000));
                rows.forEach(s -> {
                    sub.visible().add(s.sessionId());
                    enqueue(UiEvent.encode(new UiEvent.SessionsChanged(req.sub(), s)));
                });
            }
            case UiRequest.Topic.Events t -> {
                Sub sub = new Sub("events", null, t.sessionId(), null, null);
                keep(req.sub(), sub);
                enqueue(UiEvent.encode(new UiEvent.Subscribed(req.sub())));
                long max = db.tx(c -> EventRows.maxSeq(c, t.sessionId())); // where a resync would catch up from
                sub.lastSeq().accumulateAndGet(max, Math::max);
            }
            case UiRequest.Topic.Approvals t -> {
                String st = t.pending() == null ? null : t.pending() ? "pending" : "decided";
                Sub sub = new Sub("approvals", null, t.sessionId(), st, null);
                keep(req.sub(), sub);
                enqueue(UiEvent.encode(new UiEvent.Subscribed(req.sub())));
                List<ObjectNode> rows = db.tx(c -> ApprovalRows.list(c, st, 500));
                rows.stream().filter(a -> ofSession(sub, a)).forEach(a -> {
                    sub.visible().add(a.path("id").asText());
                    enqueue(UiEvent.encode(new UiEvent.ApprovalsChanged(req.sub(), a)));
                });
            }
            case UiRequest.Topic.Console t -> {
                String sid = t.sessionId();
                Session s = db.tx(c -> SessionRows.find(c, sid));
                if (s == null) {
                    throw ApiError.invalid("session " + sid + " not found");
                }
                // the lane carries its own "subscribed", the screen and the tail: paced with the other lanes
                ConsoleHub.Watcher w = new ConsoleHub.Watcher(req.sub(), outbox.lane(req.sub(), sid));
                keep(req.sub(), new Sub("console", null, sid, null, w));
                console.join(s.hostId(), sid, w);
            }
        }
    }

    /**
     * Typing: stored as ordered command rows (the path every command takes, so nothing is lost when the host is
     * briefly away and nothing runs twice), one audit row per burst: the first input after {@link #BURST_GAP_MS}
     * of quiet on that session.
     */
    private void input(Tokens.Principal who, UiRequest.Input in) {
        String host = inputHosts.get(in.sessionId());
        if (host == null) {
            Session s = db.tx(c -> SessionRows.find(c, in.sessionId()));
            if (s == null) {
                throw ApiError.invalid("session " + in.sessionId() + " not found");
            }
            if (inputHosts.size() >= UiQuotas.MAX_SUBSCRIPTIONS) {
                inputHosts.clear();
            }
            host = s.hostId();
            inputHosts.put(in.sessionId(), host);
        }
        var specs = TerminalInput.commands(in.sessionId(), in.data());
        if (specs.isEmpty()) {
            return;
        }
        long now = quotas.clock().millis();
        Long last = lastInput.put(in.sessionId(), now);
        boolean burst = last == null || now - last > BURST_GAP_MS;
        commands.issueInput(who.subject(), who.role().wire(), host, in.sessionId(), specs, burst);
    }

    /** Adds subscription {@code id} (counted in {@link UiStats}). */
    private void keep(String id, Sub sub) {
        if (subs.put(id, sub) == null) {
            quotas.stats().subscriptions(1);
        }
    }

    private void unsubscribe(String sub) {
        Sub old = subs.remove(sub);
        if (old != null) {
            quotas.stats().subscriptions(-1);
        }
        if (old != null && old.watcher() != null) {
            console.leave(old.sessionId(), old.watcher());
            outbox.remove(old.watcher().lane());
        }
    }

    private void onChange(FanOut.Change change) {
        if (change instanceof FanOut.Resync) {
            UiResync.run(db, subs, this::enqueue, (sub, message) -> error(sub, "unavailable", message));
            return;
        }
        subs.forEach((id, s) -> {
            String frame = switch (change) {
                case FanOut.SessionChanged c when s.topic().equals("sessions") -> sessionFrame(id, s, c.session());
                case FanOut.SessionRemoved r when s.topic().equals("sessions") && s.visible().remove(r.sessionId()) ->
                        UiEvent.encode(new UiEvent.SessionsRemoved(id, r.sessionId()));
                case FanOut.EventAppended e when s.topic().equals("events") && s.sessionId().equals(e.sessionId()) -> {
                    s.lastSeq().accumulateAndGet(e.event().path("seq").asLong(), Math::max);
                    yield UiEvent.encode(new UiEvent.EventsAppended(id, e.event()));
                }
                case FanOut.ApprovalChanged a when s.topic().equals("approvals") && approvalMatches(s, a.approval()) ->
                        UiEvent.encode(new UiEvent.ApprovalsChanged(id, a.approval()));
                default -> null;
            };
            if (frame != null) {
                enqueue(frame);
            }
        });
    }

    /** A session that stops matching a filter leaves that subscriber's view as {@code sessions.removed}. */
    static String sessionFrame(String id, Sub s, Session session) {
        if (s.sessions().matches(session)) {
            s.visible().add(session.sessionId());
            return UiEvent.encode(new UiEvent.SessionsChanged(id, session));
        }
        return s.visible().remove(session.sessionId())
                ? UiEvent.encode(new UiEvent.SessionsRemoved(id, session.sessionId())) : null;
    }

    /**
     * Whether a subscriber gets this change. A pending-only subscriber also gets the change that takes an approval
     * it was shown out of pending (decided, expired), once, so every open inbox drops the card live.
     */
    static boolean approvalMatches(Sub s, ObjectNode a) {
        if (!ofSession(s, a)) {
            return false;
        }
        boolean pending = "pending".equals(a.path("status").asText());
        String id = a.path("id").asText();
        if (s.approvalStatus() == null || s.approvalStatus().equals("pending") == pending) {
            if (pending) {
                s.visible().add(id);
            }
            return true;
        }
        return !pending && s.visible().remove(id);
    }

    /** An approvals subscription with a {@code session_id} filter gets only that session's approvals. */
    private static boolean ofSession(Sub s, ObjectNode a) {
        return s.sessionId() == null || s.sessionId().equals(a.path("session_id").asText(null));
    }

    private void enqueue(String frame) {
        if (!closed) {
            outbox.offer(frame);
        }
    }

    private void error(String sub, String code, String message) {
        enqueue(UiEvent.encode(new UiEvent.Error(sub, new UiEvent.ErrorBody(code, message))));
    }

    /** Closes with a reason; the frame goes out on the writer, the one thread that writes to this socket. */
    private void close(CloseReason reason) {
        UiOutbox w = outbox;
        if (w != null) {
            w.closeWith(reason);
        } else {
            closeNow(reason);
        }
    }

    /** Called by the writer (or, for a writer stuck in a write, its watchdog). */
    private void closeNow(CloseReason reason) {
        if (closed) {
            return;
        }
        cleanup();
        try {
            session.close(reason.code(), reason.reason());
        } catch (RuntimeException ignored) {
            // gone already
        }
    }

    /**
     * Leaves fan-out and every console stream, then stops the writer and the session watch (outside the lock:
     * either may be closing too).
     */
    private void cleanup() {
        UiOutbox w;
        NamedLoop watch;
        synchronized (this) {
            closed = true;
            if (fanOutHandle != null) {
                try {
                    fanOutHandle.close();
                } catch (Exception ignored) {
                    // in-process handle does not fail
                }
            }
            subs.keySet().forEach(this::unsubscribe);
            if (counted) {
                counted = false;
                quotas.closeSocket(principal.subject());
            }
            w = outbox;
            watch = sessionWatch;
            sessionWatch = null;
        }
        if (w != null) {
            w.close();
        }
        if (watch != null) {
            watch.close();
        }
    }

    @Override
    public void onClose(WsSession s, int status, String reason) {
        if (!closed) {
            cleanup();
        }
    }

    @Override
    public void onError(WsSession s, Throwable t) {
        onClose(s, 1011, "error");
    }
}
