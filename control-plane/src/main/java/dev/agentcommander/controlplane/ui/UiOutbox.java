package dev.agentcommander.controlplane.ui;

import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.loop.NamedLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The frames waiting for one dashboard socket and the one thread that writes them. Bounded: a dashboard that cannot
 * keep up is closed, never allowed to slow ingest down. And bounded in time by the socket's token: nothing is
 * queued once it has expired, and the writer, which looks at the clock at least every {@link #EXPIRY_CHECK} while
 * it waits, closes the socket at the expiry, so a socket nobody speaks on does not stream past its token.
 */
final class UiOutbox implements AutoCloseable {
    static final int CAPACITY = 4096;
    private static final Duration EXPIRY_CHECK = Duration.ofSeconds(1);
    static final CloseReason EXPIRED = CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "token expired");
    static final CloseReason TOO_SLOW = CloseReason.of(CloseReason.Kind.UNAVAILABLE, "client too slow; reconnect");

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Clock clock;
    private final Instant expiresAt;
    private final Consumer<String> send;
    private final Consumer<CloseReason> close;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final NamedLoop writer;

    /** Starts the writer: {@code send} writes one frame, {@code close} closes the socket with a reason. */
    UiOutbox(Clock clock, Instant expiresAt, Consumer<String> send, Consumer<CloseReason> close) {
        this.clock = clock;
        this.expiresAt = expiresAt;
        this.send = send;
        this.close = close;
        this.writer = NamedLoop.start("ui-writer", this::writeRound,
                (loop, e) -> close.accept(CloseReason.of(CloseReason.Kind.INTERNAL, "send failed")));
    }

    boolean expired() {
        return !clock.instant().isBefore(expiresAt);
    }

    /**
     * Queues a frame; nothing is queued once the token has expired. A full queue or an expired token closes the
     * socket on a thread of its own: the caller may be fan-out on an ingest thread, which must not wait for this
     * dashboard's writer to stop.
     */
    void offer(String frame) {
        if (expired()) {
            closeSoon(EXPIRED);
        } else if (!queue.offer(frame)) {
            closeSoon(TOO_SLOW);
        }
    }

    private void writeRound() throws InterruptedException {
        long untilExpiry = Duration.between(clock.instant(), expiresAt).toMillis();
        String frame = untilExpiry <= 0 ? null
                : queue.poll(Math.min(untilExpiry, EXPIRY_CHECK.toMillis()), TimeUnit.MILLISECONDS);
        if (expired()) {
            close.accept(EXPIRED);
        } else if (frame != null) {
            send.accept(frame);
        }
    }

    private void closeSoon(CloseReason reason) {
        if (closing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("ui-close").start(() -> close.accept(reason));
        }
    }

    /** Stops the writer (a writer closing its own socket is not joined). */
    @Override
    public void close() {
        writer.close();
    }
}
