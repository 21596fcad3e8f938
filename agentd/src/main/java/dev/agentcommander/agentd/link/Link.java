package dev.agentcommander.agentd.link;

import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.outbox.Reader;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Protocol;
import dev.agentcommander.schema.ProtocolException;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.Backoff;
import dev.agentcommander.schema.loop.NamedLoop;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Keeps one connection to the control plane and drains the outbox into it: hello → welcome → resend everything
 * after the server's last stored seq → live, with at most {@code window} unacked stored messages in flight (console
 * frames up to {@link #CONSOLE_FACTOR} times that). The outbox is the source of truth, so a dropped connection only
 * means "start again from the server's record".
 */
public final class Link implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Link.class.getName());
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(15);
    /** A half-open TCP connection shows as silence while we wait for acks. */
    static final Duration SILENCE = Duration.ofSeconds(60);
    /** Frames of any kind in flight, as a multiple of the window for stored messages (see {@link #pump}). */
    static final int CONSOLE_FACTOR = 4;
    /** Recording an ack in the outbox this slow is logged (acks behind it wait on the same reader). */
    static final Duration SLOW_ACK = Duration.ofSeconds(1);
    static final List<String> CAPABILITIES = List.of("sessions", "console", "commands", "approvals", "outbox");

    /**
     * {@code uris}: the control plane's agent URLs, tried in order: an attempt that fails before the welcome moves
     * on to the next (replicas without a load balancer); a link that was up tries its URL again first.
     */
    public record Settings(List<URI> uris, String token, String hostName, String agentVersion, int window) {
        public Settings {
            if (uris.isEmpty()) {
                throw new IllegalArgumentException("control_plane.url: at least one URL");
            }
            uris = List.copyOf(uris);
        }

        public Settings(URI uri, String token, String hostName, String agentVersion, int window) {
            this(List.of(uri), token, hostName, agentVersion, window);
        }
    }

    private final Settings settings;
    private final Transport transport;
    private final Outbox outbox;
    private final Consumer<ServerMessage.Command> commands;
    private final Consumer<ServerMessage.ApprovalDecision> decisions;
    private final Backoff backoff;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile long lastInbound;
    private NamedLoop loop;
    private int failures;
    private String lastFailure;
    /** Which of {@code settings.uris()} the next attempt uses (the loop's own). */
    private volatile int urlIndex;
    /** When the latest ack raised the window ({@code clock.millis()}; 0: none yet), for the stall log. */
    private volatile long lastAckAt;

    // per-connection state, guarded by lock
    private ServerMessage.Welcome welcome;
    private long serverAcked;
    private boolean open;
    private CloseReason closeReason;
    private Inbound current;

    /**
     * @param decisions told of every approval decision; idempotent by approval id (the server may resend one)
     * @param backoff   the reconnect schedule ({@link Backoff#link}); owned by this link's loop from now on
     */
    public Link(Settings settings, Transport transport, Outbox outbox, Consumer<ServerMessage.Command> commands,
                Consumer<ServerMessage.ApprovalDecision> decisions, Backoff backoff, Clock clock) {
        this.settings = settings;
        this.transport = transport;
        this.outbox = outbox;
        this.commands = commands;
        this.decisions = decisions;
        this.backoff = backoff;
        this.clock = clock;
    }

    public void start() {
        for (URI u : settings.uris()) {
            if (sendsTokenInClear(u)) { // warn, not refuse: existing setups keep working
                LOG.log(Level.WARNING, "control_plane.url " + u + " is plain ws:// to another machine: "
                        + "the host token and everything agentd sends cross the network unencrypted; use wss://");
            }
        }
        loop = NamedLoop.start("agentd-link", this::connectOnce);
    }

    /**
     * Whether {@code uri} is plain {@code ws://} to anything but this machine. Only literals count as loopback
     * ({@code 127.0.0.0/8}, {@code ::1}) besides {@code localhost}: a name is not resolved, since DNS may answer
     * differently at the next connect.
     */
    public static boolean sendsTokenInClear(URI uri) {
        if (!"ws".equalsIgnoreCase(uri.getScheme())) {
            return false;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return false;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.contains(":") && !literal.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return true; // a name: not resolved here
        }
        try {
            return !java.net.InetAddress.getByName(literal).isLoopbackAddress(); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            return true;
        }
    }

    /** Whether a connection is established and past the handshake (for doctor and tests). */
    public boolean connected() {
        return connected;
    }

    /** One round of the link's loop: a connection from connect to close, then the pause before the next. */
    private void connectOnce() throws InterruptedException {
        boolean welcomed = false;
        try {
            welcomed = session();
        } catch (InterruptedException e) {
            throw e;
        } catch (Transport.Unauthorized e) {
            LOG.log(Level.ERROR, "control plane refused this host's token (" + e.getMessage() + "): check "
                    + "control_plane.token / token_file; retrying every " + backoff.cap().toSeconds() + " s");
            backoff.saturate();
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            failures++;
            // the same failure every few seconds says nothing new: log changes and every 20th
            Level level = !m.equals(lastFailure) || failures % 20 == 0 ? Level.WARNING : Level.DEBUG;
            LOG.log(level, "link to " + uri() + " failed: " + m + " (attempt " + failures + ")");
            lastFailure = m;
        } finally {
            connected = false;
        }
        if (!running) {
            return;
        }
        afterClose(closeReasonNow(), welcomed);
        if (!welcomed && settings.uris().size() > 1) {
            urlIndex = (urlIndex + 1) % settings.uris().size();
            LOG.log(Level.DEBUG, () -> "next attempt: " + uri());
        }
        backoff.pause();
    }

    /** The URL the current (or next) attempt uses. */
    public URI uri() {
        return settings.uris().get(urlIndex);
    }

    /**
     * Sets the schedule from why the server closed the link, by the reason's kind (never its text): a refused token
     * or protocol waits the full cap, a server that is busy or a host connected twice backs off step by step, and
     * anything else after a completed handshake starts again from the shortest delay.
     */
    private void afterClose(CloseReason reason, boolean welcomed) {
        CloseReason.Kind kind = reason == null ? CloseReason.Kind.OTHER : reason.kind();
        switch (kind) {
            case UNAUTHORIZED, FORBIDDEN -> {
                LOG.log(Level.ERROR, "control plane closed the link: " + reason.reason() + ": check "
                        + "control_plane.token / token_file; retrying every " + backoff.cap().toSeconds() + " s");
                backoff.saturate();
            }
            case UNSUPPORTED_VERSION -> {
                LOG.log(Level.ERROR, "control plane refused protocol " + Protocol.VERSION + ": " + reason.reason()
                        + ": upgrade agentd or the control plane; retrying every " + backoff.cap().toSeconds() + " s");
                backoff.saturate();
            }
            case SUPERSEDED -> LOG.log(Level.WARNING, "control plane closed the link: " + reason.reason()
                    + " (is a second agentd running with this host's token?); backing off");
            case UNAVAILABLE -> LOG.log(Level.WARNING, "control plane unavailable: " + reason.reason()
                    + "; backing off");
            case GOING_AWAY, INTERNAL, NORMAL, OTHER -> {
                if (welcomed) {
                    backoff.reset();
                    failures = 0;
                    lastFailure = null;
                }
            }
        }
    }

    private CloseReason closeReasonNow() {
        lock.lock();
        try {
            return closeReason;
        } finally {
            lock.unlock();
        }
    }

    /** One connection, from hello to close. @return whether the handshake completed */
    private boolean session() throws Exception {
        lock.lock();
        try {
            welcome = null;
            open = true;
            closeReason = null;
            serverAcked = 0;
        } finally {
            lock.unlock();
        }
        Inbound inbound = new Inbound();
        signal(() -> current = inbound);
        Transport.Connection conn = transport.connect(uri(), settings.token(), inbound);
        try {
            conn.send(Codec.encodeAgent(new AgentMessage.Hello(settings.hostName(), settings.agentVersion(),
                    Protocol.VERSION, CAPABILITIES, outbox.ackedSeq()), null, clock.instant()));
            long from = awaitWelcome();
            if (from < 0) {
                return false;
            }
            connected = true;
            LOG.log(Level.INFO, () -> "link up: " + uri() + ", server has up to seq " + from
                    + ", our last seq " + outbox.lastSeq());
            pump(conn, from);
            return true;
        } finally {
            conn.close(1000, "bye");
        }
    }

    private long awaitWelcome() throws InterruptedException {
        lock.lock();
        try {
            long nanos = WELCOME_TIMEOUT.toNanos();
            while (welcome == null && open && running && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            if (welcome == null) {
                if (open && running) {
                    LOG.log(Level.WARNING, "no agent.welcome within " + WELCOME_TIMEOUT.toSeconds()
                            + " s; reconnecting");
                }
                return -1;
            }
            serverAcked = welcome.lastAckedSeq();
        } finally {
            lock.unlock();
        }
        long from = serverAcked;
        outbox.ack(from); // the server's record wins; a lower one only means we resend from there
        return from;
    }

    /**
     * Sends outbox entries after {@code from} in order, and heartbeats, until closed. Two bounds on what is in
     * flight: at most {@code window} unacked stored messages (events, sessions, approvals, results), and at most
     * {@link #CONSOLE_FACTOR} × {@code window} unacked frames of any kind. Console chunks and snapshots count only
     * against the second: the control plane relays them on arrival and never stores them, but acks are cumulative
     * and follow its commits, so with one window for all, a slow commit stopped console output after
     * {@code window} chunks (2 s of 100 busy panes) although nothing of it waits for the database.
     */
    private void pump(Transport.Connection conn, long from) throws Exception {
        lastInbound = clock.millis();
        Instant lastBeat = clock.instant();
        long lastSent = from;
        long cap = (long) settings.window() * CONSOLE_FACTOR;
        ArrayDeque<Long> stored = new ArrayDeque<>(); // seqs of sent stored messages not yet acked, oldest first
        Reader.Entry pending = null; // read, not sent yet (sent strictly in seq order)
        PumpWatch watch = new PumpWatch(clock, settings.window());
        long nextProgressCheck = 0;
        try (Reader reader = outbox.reader(from)) {
            while (running && isOpen()) {
                if (!clock.instant().isBefore(lastBeat.plus(HEARTBEAT))) {
                    conn.send(Codec.encodeAgent(heartbeat(), null, clock.instant()));
                    lastBeat = clock.instant();
                }
                long acked = ackedNow();
                if (lastSent > acked && clock.millis() - lastInbound > SILENCE.toMillis()) {
                    LOG.log(Level.WARNING, "no frame from the control plane for " + SILENCE.toSeconds() + " s with "
                            + (lastSent - acked) + " unacked; reconnecting");
                    return;
                }
                while (!stored.isEmpty() && stored.peekFirst() <= acked) {
                    stored.pollFirst();
                }
                if (lastSent - acked >= cap) {
                    watch.windowFull("frames", lastSent, acked, stored.size(), lastAckAt, reader.position());
                    awaitAckAbove(lastSent - cap, 500);
                    continue;
                }
                if (pending == null) {
                    pending = reader.next();
                }
                if (pending == null) {
                    watch.readNothing(outbox.awaitAbove(reader.position(), 500), reader.position());
                    continue;
                }
                if (!pending.console() && stored.size() >= settings.window()) {
                    watch.windowFull("stored messages", lastSent, acked, stored.size(), lastAckAt,
                            reader.position());
                    awaitAckAbove(stored.peekFirst() - 1, 500);
                    continue;
                }
                watch.sent();
                conn.send(pending.frame());
                lastSent = pending.seq();
                if (clock.millis() >= nextProgressCheck) { // once a second: the outbox's lock is the appenders'
                    watch.progress(lastSent, outbox.lastSeq(), acked);
                    nextProgressCheck = clock.millis() + 1000;
                }
                if (!pending.console()) {
                    stored.addLast(lastSent);
                }
                pending = null;
            }
        }
    }

    /** A heartbeat that says how far behind this agent is (unacked outbox messages) and how big it is (RSS). */
    AgentMessage.Heartbeat heartbeat() {
        return new AgentMessage.Heartbeat(Math.max(0, outbox.lastSeq() - outbox.ackedSeq()),
                rssBytes(Path.of("/proc/self/status")));
    }

    /** The {@code VmRSS} line of a {@code /proc/PID/status} file in bytes; null where there is none (not Linux). */
    static Long rssBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "no RSS from " + status + ": " + e.getMessage());
        }
        return null;
    }

    private boolean isOpen() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    private long ackedNow() {
        lock.lock();
        try {
            return serverAcked;
        } finally {
            lock.unlock();
        }
    }

    private void awaitAckAbove(long seq, long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (serverAcked <= seq && open && running && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    private final class Inbound implements Transport.Listener {
        @Override
        public void onText(String text) {
            lastInbound = clock.millis();
            Codec.Frame<ServerMessage> f;
            try {
                f = Codec.decodeServer(text);
            } catch (ProtocolException e) {
                LOG.log(Level.WARNING, "dropping a bad frame from the control plane (" + e.code().wire() + "): "
                        + e.getMessage());
                return;
            }
            try {
                handle(f.message());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handling " + f.type() + " failed", e);
            }
        }

        private void handle(ServerMessage m) {
            switch (m) {
                case ServerMessage.Welcome w -> signal(() -> welcome = w);
                case ServerMessage.Ack a -> {
                    // the window first: the outbox's side waits for its lock (held by every append, the tmux
                    // reader's among them) and every 200 ms for the acked file's fsyncs; the pump need not
                    acked(a.seq());
                    long t0 = clock.millis();
                    outbox.ack(a.seq());
                    long took = clock.millis() - t0;
                    if (took > SLOW_ACK.toMillis()) {
                        LOG.log(Level.WARNING, "recording ack " + a.seq() + " in the outbox took " + took
                                + " ms (its lock or the acked file's fsync); later acks waited behind it");
                    }
                }
                case ServerMessage.Command c -> commands.accept(c);
                case ServerMessage.ApprovalDecision d -> decisions.accept(d);
                case ServerMessage.Error e ->
                        LOG.log(Level.WARNING, "control plane error " + e.code() + ": " + e.message());
                case ServerMessage.Unknown u -> LOG.log(Level.DEBUG, () -> "ignoring unknown message type " + u.type());
            }
        }

        @Override
        public void onClosed(int code, String reason) {
            if (running) {
                LOG.log(Level.INFO, () -> "link closed: " + code + " " + reason);
            }
            CloseReason parsed = CloseReason.parse(code, reason);
            signal(() -> {
                if (current == this) { // a late close of an earlier connection says nothing about this one
                    open = false;
                    closeReason = parsed;
                }
            });
        }
    }

    private void acked(long seq) {
        lock.lock();
        try {
            if (seq > serverAcked) {
                serverAcked = seq;
                lastAckAt = clock.millis();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signal(Runnable r) {
        lock.lock();
        try {
            r.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        signal(() -> open = false);
        if (loop != null) {
            loop.close();
        }
    }
}
