package dev.agentcommander.controlplane.link;

import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.NamedLoop;
import io.helidon.websocket.WsSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One authenticated agent socket after its hello: the bounded inbox the socket thread fills and the ingest loop
 * drains, the wake-up signal of the delivery loop, and a send lock (ingest acks, delivery and replies share the
 * socket). Its epoch says which of two sockets of the same host is the newer one; when the epoch was last seen
 * current in Postgres is kept, so console frames (relayed before they are stored) can be dropped once another
 * replica's connection took over. It owns its two loops: closing the connection stops both.
 */
final class AgentConnection implements Metrics.HostValues {
    /** Why a connection whose epoch is no longer current is closed (a newer one, on any replica, or a rotation). */
    static final CloseReason SUPERSEDED = CloseReason.of(CloseReason.Kind.SUPERSEDED,
            "a newer connection of this host took over");

    private static final int INBOX_CAPACITY = 4096;
    private static final System.Logger LOG = System.getLogger(AgentConnection.class.getName());
    /** A reader held back by a full inbox this long is logged. */
    static final Duration FULL_INBOX_WARN = Duration.ofSeconds(1);
    private static final long POLL_MS = 250;

    private final String hostId;
    private final long epoch;
    private final WsSession session;
    private final Clock clock;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final BlockingQueue<Codec.Frame<AgentMessage>> inbox = new ArrayBlockingQueue<>(INBOX_CAPACITY);
    private final BlockingQueue<Boolean> wake = new ArrayBlockingQueue<>(1);
    private final AtomicBoolean resendAll = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long ackedSeq;
    private volatile Instant epochConfirmedAt;
    private NamedLoop ingestLoop;
    private NamedLoop deliveryLoop;
    /** The highest seq received on this socket (acked or not): the ack lag is its distance to {@link #ackedSeq}. */
    private volatile long receivedSeq;
    /** What the agent's latest heartbeat said about itself (null until one says it). */
    private volatile Long outboxBacklog;
    private volatile Long rssBytes;
    private Metrics.HostSeries series;

    AgentConnection(String hostId, long epoch, long ackedSeq, WsSession session, Clock clock) {
        this.hostId = hostId;
        this.epoch = epoch;
        this.ackedSeq = ackedSeq;
        this.session = session;
        this.clock = clock;
        this.epochConfirmedAt = clock.instant(); // made right after the handshake that set the epoch
    }

    String hostId() {
        return hostId;
    }

    long epoch() {
        return epoch;
    }

    long ackedSeq() {
        return ackedSeq;
    }

    void ackedSeq(long seq) {
        ackedSeq = seq;
    }

    /** A sequenced frame arrived (before it is stored). */
    void received(long seq) {
        if (seq > receivedSeq) {
            receivedSeq = seq;
        }
    }

    /** The agent's latest heartbeat said this about itself. */
    void reported(Long backlog, Long rss) {
        if (backlog != null) {
            outboxBacklog = backlog;
        }
        if (rss != null) {
            rssBytes = rss;
        }
    }

    @Override
    public long ackLag() {
        return Math.max(0, receivedSeq - ackedSeq);
    }

    @Override
    public Long outboxBacklog() {
        return outboxBacklog;
    }

    @Override
    public Long rssBytes() {
        return rssBytes;
    }

    /** This connection's metric series, removed when it closes. */
    synchronized void series(Metrics.HostSeries s) {
        if (closed.get()) {
            s.close();
        } else {
            series = s;
        }
    }

    /** When this connection's epoch was last seen current in Postgres (a batch, a delivery round, a heartbeat). */
    Instant epochConfirmedAt() {
        return epochConfirmedAt;
    }

    void epochConfirmed(Instant at) {
        epochConfirmedAt = at;
    }

    BlockingQueue<Codec.Frame<AgentMessage>> inbox() {
        return inbox;
    }

    boolean closed() {
        return closed.get();
    }

    /** Sends one frame; false when the socket is gone (then the connection is closed). */
    boolean send(ServerMessage m) {
        if (closed.get()) {
            return false;
        }
        boolean sent = false;
        sendLock.lock();
        try {
            session.send(Codec.encodeServer(m, clock.instant()), true);
            sent = true;
        } catch (RuntimeException e) {
            // closed below, after the lock is released: closing joins the other loop, which may be waiting for it
        } finally {
            sendLock.unlock();
        }
        if (!sent) {
            close(CloseReason.of(CloseReason.Kind.INTERNAL, "send failed"));
        }
        return sent;
    }

    /** Asks the delivery loop to look for queued commands and decisions. */
    void wake() {
        wake.offer(Boolean.TRUE);
    }

    /** Blocks until woken; returns whether this is the first round after connecting (resend sent rows too). */
    Boolean awaitWork() throws InterruptedException {
        if (wake.poll(POLL_MS, TimeUnit.MILLISECONDS) == null) {
            return null;
        }
        return resendAll.getAndSet(false);
    }

    /**
     * Queues a frame for ingest, waiting while the inbox is full (back-pressure on the socket). A wait past
     * {@link #FULL_INBOX_WARN} is logged once it ends: the socket was not read meanwhile, so this host's console
     * relay (on the same reader) stopped too, and its acks with it.
     */
    void enqueue(Codec.Frame<AgentMessage> frame) throws InterruptedException {
        if (inbox.offer(frame)) {
            return;
        }
        long since = clock.millis();
        while (!closed.get()) {
            if (inbox.offer(frame, POLL_MS, TimeUnit.MILLISECONDS)) {
                long waited = clock.millis() - since;
                if (waited > FULL_INBOX_WARN.toMillis()) {
                    LOG.log(System.Logger.Level.WARNING, "host " + hostId + ": the ingest inbox (" + INBOX_CAPACITY
                            + " frames) was full for " + waited + " ms; its socket was not read meanwhile, so its "
                            + "console output and acks waited too");
                }
                return;
            }
        }
    }

    /** The next inbound frame, or null after a short wait. */
    Codec.Frame<AgentMessage> nextFrame() throws InterruptedException {
        return inbox.poll(POLL_MS, TimeUnit.MILLISECONDS);
    }

    void retryLater(boolean all) {
        if (all) {
            resendAll.set(true);
        }
        wake.offer(Boolean.TRUE);
    }

    /** Starts the ingest and delivery loops, unless the connection was closed already. */
    synchronized void start(Ingest ingest, Delivery delivery) {
        if (closed.get()) {
            return;
        }
        ingestLoop = NamedLoop.start("ingest-" + hostId + "-" + epoch, ingest::round, ingest::failed);
        deliveryLoop = NamedLoop.start("deliver-" + hostId + "-" + epoch, delivery::round, delivery::failed);
        wake();
    }

    /** Closes the socket with a typed reason and stops both loops. Idempotent. */
    void close(CloseReason reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sendLock.lock();
        try {
            session.close(reason.code(), reason.reason());
        } catch (RuntimeException ignored) {
            // already gone
        } finally {
            sendLock.unlock();
        }
        stopLoops();
    }

    /** The socket closed from the other side. */
    void closedByPeer() {
        closed.set(true);
        stopLoops();
    }

    /**
     * Stops both loops: a loop waiting for frames or work, or sleeping in its backoff, is interrupted and joined.
     * A loop interrupted inside a transaction loses that transaction (rolled back, nothing acked): the agent
     * resends it, and ingest is idempotent on (host, seq). A loop closing its own connection is not joined.
     */
    private void stopLoops() {
        inbox.clear();
        NamedLoop ingest;
        NamedLoop delivery;
        synchronized (this) {
            ingest = ingestLoop;
            delivery = deliveryLoop;
            if (series != null) {
                series.close();
                series = null;
            }
        }
        if (ingest != null) {
            ingest.close();
        }
        if (delivery != null) {
            delivery.close();
        }
    }
}
