package dev.agentcommander.agentd.hooks;

import dev.agentcommander.schema.loop.NamedLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Accepts connections on one bound channel (the Unix socket, or the opt-in loopback TCP port) and serves each on
 * its own virtual thread, at most {@code maxConnections} at once: one past that is closed unanswered (the hook
 * prints nothing, Claude shows its own prompt). A request must arrive whole within {@code readTimeout}, or its
 * connection is closed, so a client that connects and says nothing cannot hold a slot.
 */
final class HookListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HookListener.class.getName());

    /** Serves one connection; {@code requestRead} is called once the request is read (its deadline is lifted). */
    interface Handler {
        void serve(HookExchange exchange, Runnable requestRead);
    }

    private final String name;
    private final ServerSocketChannel server;
    private final boolean tcp;
    private final Semaphore slots;
    private final Duration readTimeout;
    private final Handler handler;
    private final DelayQueue<Deadline> deadlines = new DelayQueue<>();
    private static final Duration REFUSAL_LOG_EVERY = Duration.ofMinutes(1);
    private final java.util.concurrent.atomic.AtomicLong lastRefusalLog =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - REFUSAL_LOG_EVERY.toNanos() - 1);
    private NamedLoop accept;
    private NamedLoop watchdog;

    HookListener(String name, ServerSocketChannel server, boolean tcp, int maxConnections, Duration readTimeout,
                 Handler handler) {
        this.name = name;
        this.server = server;
        this.tcp = tcp;
        this.slots = new Semaphore(maxConnections);
        this.readTimeout = readTimeout;
        this.handler = handler;
    }

    void start() {
        watchdog = NamedLoop.start(name + "-deadlines", () -> deadlines.take().expire());
        accept = NamedLoop.start(name, this::acceptOne);
    }

    private void acceptOne() {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (ClosedChannelException e) {
            accept.close(); // closing: our own loop, so this only stops the next round
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("accept failed", e);
        }
        if (!slots.tryAcquire()) {
            long now = System.nanoTime();
            long last = lastRefusalLog.get();
            boolean log = now - last > REFUSAL_LOG_EVERY.toNanos() && lastRefusalLog.compareAndSet(last, now);
            LOG.log(log ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    name + ": too many hook connections at once; refusing more (their hooks print nothing)");
            closeQuietly(ch);
            return;
        }
        Deadline deadline = new Deadline(ch, System.nanoTime() + readTimeout.toNanos());
        deadlines.add(deadline);
        Thread.ofVirtual().name(name + "-conn").start(() -> {
            try (ch) {
                if (tcp) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // answers are small writes
                }
                handler.serve(new HookExchange(ch), deadline::lift);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "hook connection ended: {0}", e.toString());
            } finally {
                deadline.lift();
                slots.release();
            }
        });
    }

    /** Waits up to {@code wait} for the connections being served to end (after the broker released them). */
    void awaitIdle(int maxConnections, Duration wait) {
        try {
            if (slots.tryAcquire(maxConnections, wait.toMillis(), TimeUnit.MILLISECONDS)) {
                slots.release(maxConnections);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        if (accept != null) {
            accept.close();
        }
        if (watchdog != null) {
            watchdog.close();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Closes its connection at {@code at} unless the request was read by then. */
    private final class Deadline implements Delayed {
        private final SocketChannel ch;
        private final long at;
        private final AtomicBoolean lifted = new AtomicBoolean();

        Deadline(SocketChannel ch, long at) {
            this.ch = ch;
            this.at = at;
        }

        void lift() {
            if (lifted.compareAndSet(false, true)) {
                deadlines.remove(this);
            }
        }

        void expire() {
            if (lifted.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: a request did not arrive within {1}; closed", name,
                        readTimeout);
                closeQuietly(ch);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(at, ((Deadline) o).at);
        }
    }
}
