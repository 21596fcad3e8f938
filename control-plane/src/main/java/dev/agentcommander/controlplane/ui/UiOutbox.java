package dev.agentcommander.controlplane.ui;

import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.UiEvent;
import dev.agentcommander.schema.loop.NamedLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What waits for one dashboard socket, and the one thread that writes it. Two kinds of queue, both bounded:
 * <ul>
 *   <li>one for everything but console output (sessions, events, approvals, replies): {@link #CAPACITY} frames;
 *   a socket that lets it fill is cut off with a close frame that says so ({@link #TOO_SLOW});</li>
 *   <li>one {@link ConsoleLane} per console subscription, bounded in bytes: when it fills, that subscription's
 *   oldest output is dropped, a {@code console.skipped} marker and a fresh snapshot take its place, and nothing
 *   else (other subscriptions, other sockets, the host's link) notices.</li>
 * </ul>
 * The writer takes lanes in turn, one frame each, screens (snapshots, markers) before chunks, so a viewer that
 * opens a hundred busy consoles gets a hundred snapshots first and then their tails, never one console's tail
 * before the next one's screen. A lane's chunks that wait behind each other and continue each other go out as one
 * frame ({@link #MERGE_CHARS} at most): a joiner's tail or a lane that fell behind costs a few frames, not one per
 * line, and a lane that keeps up still sends each chunk as it comes. A frame of the first queue goes out after every console frame queued before it
 * (a {@code ping} still answers after the frames it follows). Frames are encoded on this writer, not on the
 * publisher's thread.
 *
 * <p>Only the writer writes to the socket, close frames included: {@link #closeWith} hands it the reason and it
 * sends the close after the frame it is writing. (Closing from another thread used to interrupt the writer in
 * the middle of a write, which on a virtual thread closes the TCP socket, so the client saw a connection drop
 * with no close frame.) Bounded in time by the socket's token too: nothing is queued once it has expired, and
 * the writer closes the socket at the expiry.
 */
final class UiOutbox implements AutoCloseable {
    static final int CAPACITY = 4096;
    /** Console data (base64 characters) queued per subscription before its oldest output is dropped. */
    static final int LANE_BYTES = 256 * 1024;
    /** Console frames queued per subscription before its oldest output is dropped (many tiny chunks). */
    static final int LANE_FRAMES = 2048;
    /** Data (base64 characters) one frame carries at most when the writer joins a lane's waiting chunks into one. */
    static final int MERGE_CHARS = 64 * 1024;
    private static final Duration EXPIRY_CHECK = Duration.ofSeconds(1);
    /** How long a close waits for a writer stuck in a write (a client that reads nothing) before it forces it. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    static final CloseReason EXPIRED = CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "token expired");
    static final CloseReason TOO_SLOW = CloseReason.of(CloseReason.Kind.UNAVAILABLE,
            "client too slow: over " + CAPACITY + " frames waiting; reconnect");

    private final Clock clock;
    final UiStats stats;
    private final Instant expiresAt;
    private final Consumer<String> send;
    private final Consumer<CloseReason> close;
    final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Stamped> control = new ArrayDeque<>();
    private final List<ConsoleLane> lanes = new ArrayList<>();
    private long stamp;
    private int next;
    private CloseReason closing;
    private boolean closed;
    private final NamedLoop writer;

    private record Stamped(long stamp, String frame) {
    }

    /** Starts the writer: {@code send} writes one frame, {@code close} closes the socket with a reason. */
    UiOutbox(Clock clock, Instant expiresAt, Consumer<String> send, Consumer<CloseReason> close) {
        this(clock, expiresAt, send, close, new UiStats());
    }

    /** {@code stats} counts what this outbox's console lanes drop. */
    UiOutbox(Clock clock, Instant expiresAt, Consumer<String> send, Consumer<CloseReason> close, UiStats stats) {
        this.stats = stats;
        this.clock = clock;
        this.expiresAt = expiresAt;
        this.send = send;
        this.close = close;
        this.writer = NamedLoop.start("ui-writer", this::writeRound,
                (loop, e) -> closeWith(CloseReason.of(CloseReason.Kind.INTERNAL, "send failed")));
    }

    boolean expired() {
        return !clock.instant().isBefore(expiresAt);
    }

    /** Queues a frame of the first kind; a full queue or an expired token closes the socket (by the writer). */
    void offer(String frame) {
        if (expired()) {
            closeWith(EXPIRED);
            return;
        }
        lock.lock();
        try {
            if (closing != null || closed) {
                return;
            }
            if (control.size() >= CAPACITY) {
                closeLocked(TOO_SLOW);
                return;
            }
            control.add(new Stamped(++stamp, frame));
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** A console lane for subscription {@code sub}; its frames go out in turn with the other lanes'. */
    ConsoleLane lane(String sub, String sessionId) {
        lock.lock();
        try {
            ConsoleLane l = new ConsoleLane(this, sub, sessionId);
            lanes.add(l);
            return l;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The subscription ended: its console frames are dropped; a {@code subscribed} it still holds goes out (every
     * subscribe is answered), then the lane goes.
     */
    void remove(ConsoleLane lane) {
        lock.lock();
        try {
            if (lane.retire()) {
                lanes.remove(lane);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next stamp (caller holds the lock): frames of both kinds are ordered by it. */
    long stamp() {
        return ++stamp;
    }

    /** A lane has something to send (caller holds the lock). */
    void signal() {
        work.signal();
    }

    /**
     * Asks the writer to close the socket with {@code reason} (after the frame it may be writing; what is still
     * queued is dropped). If the writer is stuck in a write for {@link #CLOSE_GRACE}, the socket is closed anyway.
     */
    void closeWith(CloseReason reason) {
        lock.lock();
        try {
            closeLocked(reason);
        } finally {
            lock.unlock();
        }
    }

    private void closeLocked(CloseReason reason) {
        if (closing != null || closed) {
            return;
        }
        closing = reason;
        work.signal();
        Thread.ofVirtual().name("ui-close-watchdog").start(() -> {
            try {
                Thread.sleep(CLOSE_GRACE.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (!isClosed()) {
                close.accept(reason); // the writer is stuck in a write: no close frame can get through anyway
            }
        });
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void writeRound() throws InterruptedException {
        Object frame; // a queued frame's text, or a lane's run of events to encode (off the lock)
        CloseReason reason;
        lock.lock();
        try {
            while (true) {
                reason = closing != null ? closing : expired() ? EXPIRED : null;
                if (reason != null || closed) {
                    frame = null;
                    break;
                }
                frame = nextFrame();
                if (frame != null) {
                    break;
                }
                long untilExpiry = Duration.between(clock.instant(), expiresAt).toMillis();
                work.await(Math.max(1, Math.min(untilExpiry, EXPIRY_CHECK.toMillis())), TimeUnit.MILLISECONDS);
            }
            if (reason != null) {
                closed = true;
                control.clear();
                lanes.forEach(ConsoleLane::clear);
            }
        } finally {
            lock.unlock();
        }
        if (reason != null) {
            close.accept(reason);
        } else if (frame instanceof String text) {
            send.accept(text);
        } else if (frame != null) {
            @SuppressWarnings("unchecked")
            List<UiEvent> run = (List<UiEvent>) frame;
            send.accept(UiEvent.encode(ConsoleLane.merge(run)));
        }
    }

    /**
     * The next frame to write (caller holds the lock): the first queue's head unless a lane holds a frame queued
     * before it; among lanes, in turn, screens before chunks. A lane's frame comes as the events to encode (a run
     * of chunks becomes one frame), encoded by the writer after it lets go of the lock, so fan-out (on the host
     * socket's reader) never waits for JSON encoding.
     */
    private Object nextFrame() {
        Stamped head = control.peek();
        long barrier = head == null ? Long.MAX_VALUE : head.stamp();
        ConsoleLane pick = pickLane(barrier, true);
        if (pick == null) {
            pick = pickLane(barrier, false);
        }
        if (pick != null) {
            List<UiEvent> run = pick.pollRun(barrier);
            if (pick.retired() && pick.headStamp() == Long.MAX_VALUE) {
                lanes.remove(pick);
            }
            return run;
        }
        if (head != null) {
            control.poll();
            return head.frame();
        }
        return null;
    }

    private ConsoleLane pickLane(long barrier, boolean screensOnly) {
        int n = lanes.size();
        for (int i = 0; i < n; i++) {
            int at = (next + i) % n;
            ConsoleLane l = lanes.get(at);
            if (l.headStamp() < barrier && (!screensOnly || l.headIsScreen())) {
                next = (at + 1) % n;
                return l;
            }
        }
        return null;
    }

    /** Stops the writer (a writer closing its own socket is not joined); nothing is written after this. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        writer.close();
    }
}
