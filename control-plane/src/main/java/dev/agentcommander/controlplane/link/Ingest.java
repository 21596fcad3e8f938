package dev.agentcommander.controlplane.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.EventRows;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.controlplane.rules.ApprovalIntake;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.Backoff;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one ingest loop of an agent connection. It drains up to {@link #BATCH} stored messages (console frames, which
 * cost nothing to apply, ride along up to {@link #MAX_FRAMES} in all), applies them in one
 * transaction together with {@code hosts.last_acked_seq}, and only after the commit sends one cumulative ack and
 * publishes the changes. A batch of console frames only stores nothing, so it is acked without a transaction while
 * the host row was written within {@link #ACK_WRITE_EVERY}; the row catches up at the next commit, or once the link
 * is quiet: at 100 busy consoles a commit per batch was hundreds of fsyncs a second, and the agent's window waited
 * on them although nothing of it waits for the database (docs/benchmarks.md). A database outage is retried with
 * backoff and never acked; if it lasts, the socket is closed so the agent resends from its outbox later. A frame
 * whose data Postgres refuses (SQLSTATE class 22, 23 or 54: retrying it can never succeed) is dropped alone under its
 * own savepoint, logged with its SQLSTATE and seq only (never its payload: prompts, tool input) and audited as
 * {@code ingest.dropped}; the rest of its batch is stored.
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
    /**
     * How far the host row's {@code last_acked_seq} may fall behind acks of console frames only. Its cost is a
     * resend: a reconnect resumes from the row, so the agent sends those console frames again. It stays under
     * {@code AgentEndpoint.EPOCH_FRESH}, so the commits that confirm the epoch keep the socket reader from reading it.
     */
    static final Duration ACK_WRITE_EVERY = Duration.ofMillis(500);
    /**
     * Acks of console frames only go out at most this often (a quiet link's poll sends the last one): each is a
     * frame both sides handle, at 100 busy consoles hundreds a second, where the agent's window of 4 000 console
     * frames needs a few a second. An ack after a commit goes out at once.
     */
    static final Duration CONSOLE_ACK_EVERY = Duration.ofMillis(50);

    private final AgentConnection conn;
    private final Database db;
    private final FanOut fanOut;
    private final Clock clock;
    private final MessageEffects effects;
    private final Backoff backoff = Backoff.capped(RETRY_CAP);
    private final List<Codec.Frame<AgentMessage>> batch = new ArrayList<>(BATCH);
    private final Metrics metrics;
    /** When this loop last committed the host row, and the seq it wrote there. */
    private Instant committedAt = Instant.MIN;
    private long committedSeq;
    /** The last ack sent on the socket, and when. */
    private long ackSent;
    private Instant ackSentAt = Instant.MIN;

    Ingest(AgentConnection conn, Database db, FanOut fanOut, Clock clock, ApprovalIntake intake, Metrics metrics) {
        this.metrics = metrics;
        this.conn = conn;
        this.db = db;
        this.fanOut = fanOut;
        this.clock = clock;
        this.effects = new MessageEffects(conn.hostId(), clock, intake);
        this.committedSeq = conn.ackedSeq(); // the handshake's, read from the host row
        this.ackSent = conn.ackedSeq();
    }

    /**
     * What one committed batch produced: everything to publish is read inside the transaction, so nothing between
     * the commit and the publish touches the database (a close that interrupts the loop cannot lose a publish).
     * {@code checkedAt} is when the epoch was read in it; null for console frames acked without a commit.
     */
    private record Result(long lastSeq, boolean superseded, Instant checkedAt, List<FanOut.Change> changes,
                          boolean decided) {
    }

    /** One round of the loop: one batch stored, acked and published (or nothing, after a short wait). */
    void round() throws InterruptedException {
        Codec.Frame<AgentMessage> first = conn.nextFrame();
        if (first == null) {
            if (conn.ackedSeq() > ackSent) {
                sendAck(conn.ackedSeq()); // the last console frames' ack, held back by CONSOLE_ACK_EVERY
            }
            writeAckedIfBehind();
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
            r = stored == 0 ? ackWithoutCommit() : null;
            if (r == null) {
                r = applyWithRetry();
            }
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
        conn.ackedSeq(r.lastSeq());
        if (r.checkedAt() != null) {
            committed(r);
            sendAck(r.lastSeq());
        } else if (!clock.instant().isBefore(ackSentAt.plus(CONSOLE_ACK_EVERY))) {
            sendAck(r.lastSeq());
        }
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

    /**
     * The ack of a batch of console frames only, when the host row was written within {@link #ACK_WRITE_EVERY} and
     * the batch continues the last ack without a gap or a resend (those are for {@link #apply} to skip or audit);
     * null when it needs the transaction.
     */
    private Result ackWithoutCommit() {
        if (!clock.instant().isBefore(committedAt.plus(ACK_WRITE_EVERY))) {
            return null;
        }
        long expect = conn.ackedSeq() + 1;
        for (Codec.Frame<AgentMessage> f : batch) {
            if (f.seq() != expect++) {
                return null;
            }
        }
        return new Result(expect - 1, false, null, List.of(), false);
    }

    /** A quiet link whose acks are ahead of the host row: an empty batch writes them (and confirms the epoch). */
    private void writeAckedIfBehind() throws InterruptedException {
        if (conn.ackedSeq() <= committedSeq || clock.instant().isBefore(committedAt.plus(ACK_WRITE_EVERY))) {
            return;
        }
        Result r = applyWithRetry();
        if (r == null) {
            return;
        }
        if (r.superseded()) {
            conn.close(AgentConnection.SUPERSEDED);
            return;
        }
        committed(r);
    }

    private void sendAck(long seq) {
        conn.send(new ServerMessage.Ack(seq));
        ackSent = seq;
        ackSentAt = clock.instant();
    }

    private void committed(Result r) {
        conn.epochConfirmed(r.checkedAt());
        committedAt = r.checkedAt();
        committedSeq = r.lastSeq();
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
        effects.startBatch();
        Instant checkedAt = clock.instant();
        HostRows.Handshake h = HostRows.lockForIngest(c, host);
        if (h == null || h.epoch() != conn.epoch()) {
            return new Result(0, true, checkedAt, List.of(), false);
        }
        // acks sent without a commit (console frames only) are this connection's, whose epoch was just checked
        long last = Math.max(h.lastAckedSeq(), conn.ackedSeq());
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
                    effects.apply(c, f, ch, ap, ev);
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
                effects.apply(c, f, changes, approvals, events);
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
        return new Result(last, false, checkedAt, changes, effects.decidedByRule());
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
}
