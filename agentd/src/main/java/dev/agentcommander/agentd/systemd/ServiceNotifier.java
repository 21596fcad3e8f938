package dev.agentcommander.agentd.systemd;

import dev.agentcommander.schema.loop.NamedLoop;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What agentd tells systemd ({@code Type=notify}): {@code READY=1} once it is serving, {@code STATUS=} whenever the
 * one-line status changes, {@code WATCHDOG=1} at half of {@code WATCHDOG_USEC} and {@code STOPPING=1} when it stops.
 * The watchdog must mean something: a ping goes out only while every watched loop has made progress within its
 * bound, and the status that precedes it is read from the live parts (a deadlock there stops this loop as well),
 * so a stuck daemon stops pinging and systemd restarts it. Without {@code NOTIFY_SOCKET} (a foreground run) every
 * call does nothing.
 */
public final class ServiceNotifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServiceNotifier.class.getName());
    private static final Duration TICK = Duration.ofSeconds(1);

    /** A loop that must keep moving: the time of its last completed round, which must be younger than maxAge. */
    public record Liveness(String name, Supplier<Optional<Instant>> lastProgress, Duration maxAge) {
    }

    /** The notifier of a process no service manager watches. */
    public static final ServiceNotifier NONE = new ServiceNotifier(null, null, Clock.systemUTC());

    private final Consumer<String> socket; // null: no service manager
    private AutoCloseable closeSocket = () -> { };
    private final Duration pingEvery; // null: no watchdog
    private final Clock clock;
    private Supplier<String> status = () -> "";
    private List<Liveness> loops = List.of();
    private Instant started;
    private Instant nextPing;
    private String lastStatus;
    private String stuck; // the loop that stopped the pings, for logging once
    private boolean sendFailed;
    private volatile boolean stopping;
    private NamedLoop loop;

    ServiceNotifier(Consumer<String> socket, Duration pingEvery, Clock clock) {
        this.socket = socket;
        this.pingEvery = pingEvery;
        this.clock = clock;
    }

    /**
     * From {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} (a watchdog meant for another
     * pid is not ours) as systemd sets them; {@link #NONE} without a socket.
     *
     * @throws IllegalArgumentException naming the variable when one is malformed
     */
    public static ServiceNotifier fromEnvironment(Map<String, String> env, long pid, Clock clock) {
        String name = env.getOrDefault("NOTIFY_SOCKET", "");
        if (name.isEmpty()) {
            return NONE;
        }
        Duration ping = null;
        String usec = env.getOrDefault("WATCHDOG_USEC", "");
        String watchdogPid = env.getOrDefault("WATCHDOG_PID", "");
        if (!usec.isEmpty() && (watchdogPid.isEmpty() || watchdogPid.equals(Long.toString(pid)))) {
            long micros;
            try {
                micros = Long.parseLong(usec);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("WATCHDOG_USEC: not a number: " + usec);
            }
            if (micros <= 0) {
                throw new IllegalArgumentException("WATCHDOG_USEC: must be positive, got " + usec);
            }
            ping = Duration.ofNanos(micros * 1000 / 2);
        }
        NotifySocket s = NotifySocket.open(name);
        ServiceNotifier n = new ServiceNotifier(s::send, ping, clock);
        n.closeSocket = s;
        return n;
    }

    /** Whether a service manager listens (NOTIFY_SOCKET was set). */
    public boolean active() {
        return socket != null;
    }

    /** The watchdog ping interval, half of WATCHDOG_USEC; empty without a watchdog. */
    public Optional<Duration> pingInterval() {
        return Optional.ofNullable(pingEvery);
    }

    /**
     * Sends {@code READY=1} with the first status and starts the loop that keeps {@code STATUS=} current and pings
     * the watchdog while every one of {@code watched} is alive.
     */
    public synchronized void ready(Supplier<String> status, List<Liveness> watched) {
        if (socket == null || stopping) {
            return;
        }
        this.status = status;
        this.loops = List.copyOf(watched);
        started = clock.instant();
        lastStatus = oneLine(status.get());
        send("READY=1\nSTATUS=" + lastStatus + (pingEvery != null ? "\nWATCHDOG=1" : ""));
        nextPing = pingEvery == null ? null : started.plus(pingEvery);
        Duration tick = pingEvery != null && pingEvery.compareTo(TICK) < 0 ? pingEvery : TICK;
        loop = NamedLoop.start("agentd-sd-notify", () -> {
            Thread.sleep(tick.toMillis());
            tick();
        });
    }

    /**
     * One round: the status if it changed, then the watchdog ping if it is due and every loop is alive. The status
     * is read outside this object's lock: if it blocks (a deadlocked part), the pings stop but {@link #stopping}
     * still gets through.
     */
    void tick() {
        Supplier<String> source;
        synchronized (this) {
            if (stopping || socket == null) {
                return;
            }
            source = status;
        }
        String now = oneLine(source.get());
        synchronized (this) {
            if (!stopping) {
                report(now);
            }
        }
    }

    private void report(String now) {
        if (!now.equals(lastStatus)) {
            lastStatus = now;
            send("STATUS=" + now);
        }
        if (nextPing == null || clock.instant().isBefore(nextPing)) {
            return;
        }
        Optional<String> dead = stuckLoop(clock.instant());
        if (dead.isPresent()) {
            if (!dead.get().equals(stuck)) {
                LOG.log(Level.ERROR, dead.get() + ": no watchdog pings until it moves again (systemd restarts agentd"
                        + " after WatchdogSec)");
            }
            stuck = dead.get();
            return;
        }
        if (stuck != null) {
            LOG.log(Level.WARNING, "every loop is moving again; watchdog pings resume");
            stuck = null;
        }
        send("WATCHDOG=1");
        nextPing = clock.instant().plus(pingEvery);
    }

    private Optional<String> stuckLoop(Instant now) {
        for (Liveness l : loops) {
            Instant last = l.lastProgress().get().orElse(started);
            Duration age = Duration.between(last.isBefore(started) ? started : last, now);
            if (age.compareTo(l.maxAge()) > 0) {
                return Optional.of("loop " + l.name() + " has not completed a round for " + age.toSeconds() + " s");
            }
        }
        return Optional.empty();
    }

    /** Sends {@code STOPPING=1} (once) and ends the pings: from here on systemd waits for the exit. */
    public void stopping() {
        if (socket == null) {
            return;
        }
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            send("STOPPING=1\nSTATUS=stopping");
        }
        if (loop != null) {
            loop.close();
        }
    }

    private void send(String state) {
        try {
            socket.accept(state);
            sendFailed = false;
        } catch (RuntimeException e) {
            if (!sendFailed) { // the manager went away: say it once, not every second
                LOG.log(Level.WARNING, e.getMessage());
            }
            sendFailed = true;
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").strip();
    }

    @Override
    public void close() {
        stopping();
        try {
            closeSocket.close();
        } catch (Exception ignored) {
            // a datagram socket's close does not fail in a way worth reporting
        }
    }
}
