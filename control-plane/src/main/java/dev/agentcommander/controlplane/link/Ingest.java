package dev.agentcommander.controlplane.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.CommandRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.EventRows;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.controlplane.rules.ApprovalIntake;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.loop.Backoff;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one ingest loop of an agent connection. It drains up to {@link #BATCH} stored messages (console frames, which
 * cost nothing to apply, ride along up to {@link #MAX_FRAMES} in all), applies them in one
 * transaction together with {@code hosts.last_acked_seq}, and only after the commit sends one cumulative ack and
 * publishes the changes. A database outage is retried with backoff and never acked; if it lasts, the socket is
 * closed so the agent resends from its outbox later. A frame whose data Postgres refuses (SQLSTATE class 22, 23 or
 * 54: retrying it can never succeed) is dropped alone under its own savepoint, logged with its SQLSTATE and seq only
 * (never its payload: prompts, tool input) and audited as {@code ingest.dropped}; the rest of its batch is stored.
 */
final class Ingest {
    private static final int BATCH = 500;
    /**
     * Frames in one batch at most, console included: agentd keeps up to four windows of console frames in flight,
     * and a stored message behind them should wait for one commit, not eight.
     */
    private static final int MAX_FRAMES = 4096;
    private static final System.Logger LOG = System.getLogger(Ingest.class.getName());
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(15);
    /** The agent waits for acks and the 15 s give-up bounds the whole wait: retry at least every 2 s (±50 %). */
    private static final Duration RETRY_CAP = Duration.ofSeconds(2);
    /**
     * A batch slower than this from its first frame to its ack is logged: the agent's window waits on it, and at
     * 100 busy consoles a second of acks is 500 frames of its 4 000-frame window.
     */
    private static final Duration SLOW = Duration.ofSeconds(1);

    private final AgentConnection conn;
    private final Database db;
    private final FanOut fanOut;
    private final Clock clock;
    private final ApprovalIntake intake;
    private final Backoff backoff = Backoff.capped(RETRY_CAP);
    private final List<Codec.Frame<AgentMessage>> batch = new ArrayList<>(BATCH);
    /** Per batch: session id → owned by another host (cleared at the start of every batch). */
    private final Map<String, Boolean> foreign = new HashMap<>();

    /** Per batch: whether a rule decided an approval (the delivery loop is then woken after the commit). */
    private boolean decidedByRule;

    private final Metrics metrics;

    Ingest(AgentConnection conn, Database db, FanOut fanOut, Clock clock, ApprovalIntake intake, Metrics metrics) {
        this.metrics = metrics;
        this.conn = conn;
        this.db = db;
        this.fanOut = fanOut;
        this.clock = clock;
        this.intake = intake;
    }

    /**
     * What one committed batch produced: everything to publish is read inside the transaction, so nothing between
     * the commit and the publish touches the database (a close that interrupts the loop cannot lose a publish).
     */
    private record Result(long lastSeq, boolean superseded, Instant checkedAt, List<FanOut.Change> changes,
                          boolean decided) {
    }

    /** One round of the loop: one batch stored, acked and published (or nothing, after a short wait). */
    void round() throws InterruptedException {
        Codec.Frame<AgentMessage> first = conn.nextFrame();
        if (first == null) {
            return;
        }
        Result r;
        long started = System.nanoTime();
        int size;
        try {
            batch.add(first);
            int stored = console(first) ? 0 : 1;
            Codec.Frame<AgentMessage> next;
            while (stored < BATCH && batch.size() < MAX_FRAMES && (next = conn.inbox().poll()) != null) {
                batch.add(next);
                stored += console(next) ? 0 : 1;
            }
            size = batch.size();
            r = applyWithRetry();
        } finally {
            batch.clear();
        }
        if (r == null) {
            return;
        }
        if (r.superseded()) {
            conn.close(AgentConnection.SUPERSEDED);
            return;
        }
        conn.epochConfirmed(r.checkedAt());
        conn.ackedSeq(r.lastSeq());
        conn.send(new ServerMessage.Ack(r.lastSeq()));
        long took = System.nanoTime() - started;
        metrics.ingested(size, took);
        if (took > SLOW.toNanos()) { // the agent's window waits for this ack: name the batch that held it
            LOG.log(System.Logger.Level.WARNING, "ingest for host " + conn.hostId() + ": a batch of " + size
                    + " frames up to seq " + r.lastSeq() + " took " + took / 1_000_000 + " ms to store and ack");
        }
        r.changes().forEach(fanOut::publish);
        if (r.decided()) {
            conn.wake();
        }
    }

    /** A round that threw: never leave a link open with nobody ingesting (the agent would wait on acks). */
    void failed(String loop, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "ingest for host " + conn.hostId() + " failed; closing the link", e);
        conn.close(CloseReason.of(CloseReason.Kind.INTERNAL, "error while storing; reconnect"));
    }

    /** The batch's result; null when the connection closed (or was closed because the database stayed down). */
    private Result applyWithRetry() throws InterruptedException {
        Instant giveUp = clock.instant().plus(GIVE_UP_AFTER);
        boolean careful = false;
        while (!conn.closed()) {
            try {
                boolean c = careful;
                Result r = db.tx(tx -> apply(tx, batch, c));
                backoff.reset();
                return r;
            } catch (DbException e) {
                if (conn.closed()) {
                    return null;
                }
                if (e.dataError() && !careful) {
                    careful = true;
                    continue;
                }
                if (clock.instant().isAfter(giveUp)) {
                    LOG.log(System.Logger.Level.WARNING, "ingest for host " + conn.hostId()
                            + ": database unavailable, closing the link", e);
                    conn.close(CloseReason.of(CloseReason.Kind.UNAVAILABLE, "database unavailable; retry later"));
                    return null;
                }
                LOG.log(System.Logger.Level.WARNING, "ingest for host " + conn.hostId() + " failed, retrying: "
                        + e.getMessage());
                backoff.pause();
            }
        }
        return null;
    }

    private Result apply(Connection c, List<Codec.Frame<AgentMessage>> batch, boolean careful) throws SQLException {
        String host = conn.hostId();
        foreign.clear();
        decidedByRule = false;
        Instant checkedAt = clock.instant();
        HostRows.Handshake h = HostRows.lockForIngest(c, host);
        if (h == null || h.epoch() != conn.epoch()) {
            return new Result(0, true, checkedAt, List.of(), false);
        }
        long last = h.lastAckedSeq();
        List<FanOut.Change> changes = new ArrayList<>();
        Set<String> approvals = new LinkedHashSet<>();
        List<EventRows.NewEvent> events = new ArrayList<>();
        for (Codec.Frame<AgentMessage> f : batch) {
            long seq = f.seq();
            if (seq <= last) {
                continue;
            }
            if (seq > last + 1) {
                // accepted (the agent's outbox is the authority) but never silent: the gap is on the audit log
                LOG.log(System.Logger.Level.WARNING, "host " + host + ": seq gap " + last + " -> " + seq);
                Audit.write(c, "host:" + host, null, "ingest.gap", host, Json.mapper().createObjectNode()
                        .put("after", last).put("next", seq).put("missing", seq - last - 1));
            }
            if (careful && !console(f)) { // a console frame writes nothing: no savepoint needed
                Savepoint sp = c.setSavepoint();
                List<FanOut.Change> ch = new ArrayList<>();
                Set<String> ap = new LinkedHashSet<>();
                List<EventRows.NewEvent> ev = new ArrayList<>();
                try {
                    effect(c, f, ch, ap, ev);
                    EventRows.insertBatch(c, ev);
                    c.releaseSavepoint(sp);
                    changes.addAll(ch);
                    approvals.addAll(ap);
                    ev.forEach(e -> changes.add(new FanOut.EventAppended(e.sessionId(), e.toJson())));
                } catch (SQLException e) {
                    if (!DbException.isDataError(e)) {
                        throw e; // an outage, a deadlock or a timeout: retry the whole batch, ack nothing
                    }
                    c.rollback(sp);
                    dropped(c, host, f, e.getSQLState());
                }
            } else {
                effect(c, f, changes, approvals, events);
            }
            last = seq;
        }
        EventRows.insertBatch(c, events);
        events.forEach(e -> changes.add(new FanOut.EventAppended(e.sessionId(), e.toJson())));
        HostRows.setAcked(c, host, last, clock.instant());
        for (String id : approvals) {
            ObjectNode a = ApprovalRows.find(c, id);
            if (a != null) {
                changes.add(new FanOut.ApprovalChanged(a));
            }
        }
        return new Result(last, false, checkedAt, changes, decidedByRule);
    }

    /** Whether a frame is console output (relayed on arrival, never stored). */
    private static boolean console(Codec.Frame<AgentMessage> f) {
        return f.message() instanceof AgentMessage.ConsoleChunk || f.message() instanceof AgentMessage.Snapshot;
    }

    /**
     * A frame the database refused for its data: logged with its type, seq and SQLSTATE only (the driver's message
     * quotes the value, which may be a prompt or tool input) and audited in the batch's transaction.
     */
    private static void dropped(Connection c, String host, Codec.Frame<AgentMessage> f, String sqlState)
            throws SQLException {
        String state = sqlState == null ? "?????" : sqlState;
        LOG.log(System.Logger.Level.WARNING, "host " + host + ": dropped " + LogText.of(f.type()) + " seq "
                + f.seq() + ": the database refused its data (SQLSTATE " + state + ")");
        Audit.write(c, "host:" + host, null, "ingest.dropped", host, Json.mapper().createObjectNode()
                .put("seq", f.seq()).put("type", f.type()).put("sqlstate", state));
    }

    private void effect(Connection c, Codec.Frame<AgentMessage> f, List<FanOut.Change> changes, Set<String> approvals,
                        List<EventRows.NewEvent> events) throws SQLException {
        String host = conn.hostId();
        long seq = f.seq();
        Instant ts = f.ts() != null ? f.ts() : clock.instant();
        switch (f.message()) {
            case AgentMessage.SessionsUpsert u -> {
                Session s = u.session().withHostId(host);
                if (SessionRows.upsert(c, s, seq)) {
                    changes.add(new FanOut.SessionChanged(s));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "host " + host + ": session " + s.sessionId()
                            + " is another host's (live, or removed with its history); upsert refused");
                }
            }
            case AgentMessage.SessionsRemoved r -> {
                if (SessionRows.delete(c, host, r.sessionId())) {
                    changes.add(new FanOut.SessionRemoved(host, r.sessionId()));
                }
            }
            case AgentMessage.EventsAppend e -> {
                if (foreignSession(c, host, e.sessionId())) {
                    refuse(host, seq, "event for session " + e.sessionId() + " of another host");
                    return;
                }
                events.add(new EventRows.NewEvent(host, seq, e.sessionId(), e.eventType(), ts, e.data()));
            }
            case AgentMessage.ApprovalRequested a -> {
                if (foreignSession(c, host, a.sessionId())) {
                    refuse(host, seq, "approval for session " + a.sessionId() + " of another host");
                    return;
                }
                boolean fresh = ApprovalRows.insert(c, host, a);
                if (!fresh && !ApprovalRows.ownedBy(c, host, a.approvalId())) {
                    refuse(host, seq, "approval id " + a.approvalId() + " belongs to another host");
                    return;
                }
                if (fresh && intake.stored(c, host, a)) { // approval rules and notifications, in this transaction
                    decidedByRule = true;
                }
                approvals.add(a.approvalId());
                events.add(new EventRows.NewEvent(host, seq, a.sessionId(), AgentMessage.ApprovalRequested.TYPE, ts,
                        Json.mapper().valueToTree(a)));
            }
            case AgentMessage.ApprovalResolved a -> {
                if (a.outcome() == ApprovalOutcome.UNKNOWN) {
                    LOG.log(System.Logger.Level.WARNING, "host " + host + ": approval " + a.approvalId()
                            + " resolved with an outcome this build does not know");
                    return;
                }
                ObjectNode before = ApprovalRows.resolve(c, host, a.approvalId(), a.outcome(), a.reason(),
                        clock.instant());
                if (before != null) {
                    approvals.add(a.approvalId());
                    if (!a.outcome().decided() && before.hasNonNull("decided_by")) {
                        // a person's decision did not reach the tool (answered in the pane first, hook gone …):
                        // the audit log must not leave it standing as what happened
                        ObjectNode detail = Json.mapper().createObjectNode().put("outcome", a.outcome().wire())
                                .put("reason", a.reason()).put("decided_by", before.get("decided_by").asText());
                        Audit.write(c, "host:" + host, "agent", "approval.decision_void", a.approvalId(), detail);
                    }
                }
                ObjectNode p = Json.mapper().valueToTree(a);
                events.add(new EventRows.NewEvent(host, seq, null, AgentMessage.ApprovalResolved.TYPE, ts, p));
            }
            case AgentMessage.CommandsResult r -> {
                CommandRows.Completed done = CommandRows.complete(c, host, r.commandId(), r.ok(), r.error(),
                        r.data(), clock.instant());
                if (done == null) {
                    LOG.log(System.Logger.Level.INFO, "host " + host + ": result for unknown or finished command "
                            + r.commandId());
                    return;
                }
                ObjectNode p = Json.mapper().createObjectNode();
                p.put("command_id", done.id());
                p.put("name", done.name());
                p.put("ok", r.ok());
                p.put("error", r.error());
                events.add(new EventRows.NewEvent(host, seq, done.sessionId(), "command.completed", ts, p));
            }
            case AgentMessage.Snapshot s -> { }
            case AgentMessage.ConsoleChunk ch -> { }
            case AgentMessage.Unknown u -> LOG.log(System.Logger.Level.INFO, "host " + host
                    + ": unknown message type " + LogText.of(u.type()) + " seq " + seq + " acked and dropped");
            case AgentMessage.Hello h -> { }
            case AgentMessage.Heartbeat h -> { }
        }
    }

    /**
     * Whether a session id is claimed by another host (its live row, or the history it left when it was removed);
     * asked once per id and batch (a batch is one session's burst).
     */
    private boolean foreignSession(Connection c, String host, String sessionId) throws SQLException {
        if (sessionId == null) {
            return false;
        }
        Boolean known = foreign.get(sessionId);
        if (known == null) {
            known = SessionRows.claimedByAnotherHost(c, host, sessionId);
            foreign.put(sessionId, known);
        }
        return known;
    }

    /** A frame that names another host's session or approval: logged, acked with its batch, never stored. */
    private static void refuse(String host, long seq, String why) {
        LOG.log(System.Logger.Level.WARNING, "host " + host + ": seq " + seq + " refused: " + why);
    }
}
