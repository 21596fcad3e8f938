package dev.agentcommander.controlplane.fanout;

import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.schema.loop.Backoff;
import dev.agentcommander.schema.loop.NamedLoop;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The one LISTEN connection of a replica: a connection of its own (a pooled one would be handed to someone else,
 * and its LISTEN with it), read by one named loop with {@code PGConnection.getNotifications(timeout)}. Postgres
 * does not keep notifications for a listener that is away, so every (re)connect after the first is announced to
 * {@link #onReconnect} handlers: they re-read what they could have missed. A connection that went quiet is probed
 * every {@link #PROBE_EVERY}, so a dead one (Postgres restarted, a network cut) is noticed within seconds.
 */
public final class PgListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PgListener.class.getName());
    static final int WAIT_MS = 500;
    static final Duration PROBE_EVERY = Duration.ofSeconds(2);

    private final Database db;
    private final Map<String, Consumer<String>> channels;
    private final CopyOnWriteArrayList<Runnable> reconnectHandlers = new CopyOnWriteArrayList<>();
    private final Backoff backoff = Backoff.capped(Duration.ofSeconds(2));
    private volatile Connection conn;
    private volatile boolean listening;
    private boolean everConnected;
    private long lastProbe;
    private NamedLoop loop;

    /** {@code channels}: channel name → handler of each payload (called on the loop: must not block long). */
    public PgListener(Database db, Map<String, Consumer<String>> channels) {
        for (String ch : channels.keySet()) {
            if (!ch.matches("[a-z_]{1,40}")) {
                throw new IllegalArgumentException("channel name " + ch);
            }
        }
        this.db = db;
        this.channels = Map.copyOf(channels);
    }

    /** Called after every reconnect (not the first connect): what arrived while away was lost. */
    public void onReconnect(Runnable handler) {
        reconnectHandlers.add(handler);
    }

    /** Connects (waiting up to {@code within} for the first LISTEN, so a replica starts listening) and starts the loop. */
    public synchronized PgListener start(Duration within) {
        loop = NamedLoop.start("pg-listen", this::round);
        long deadline = System.nanoTime() + within.toNanos();
        while (!listening && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return this;
    }

    /** Whether the LISTEN connection is up now. */
    public boolean listening() {
        return listening;
    }

    private void round() throws InterruptedException {
        if (conn == null) {
            try {
                connect();
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "LISTEN connection failed, retrying: " + e.getMessage());
                backoff.pause();
                return;
            }
            backoff.reset();
            if (everConnected) {
                LOG.log(System.Logger.Level.INFO, "LISTEN connection back; re-reading what may have been missed");
                reconnectHandlers.forEach(PgListener::runQuietly);
            }
            everConnected = true;
        }
        try {
            PGNotification[] got = conn.unwrap(PGConnection.class).getNotifications(WAIT_MS);
            if (got != null && got.length > 0) {
                for (PGNotification n : got) {
                    Consumer<String> h = channels.get(n.getName());
                    if (h != null) {
                        runQuietly(() -> h.accept(n.getParameter()));
                    }
                }
            } else if (System.nanoTime() - lastProbe > PROBE_EVERY.toNanos()) {
                probe();
            }
        } catch (SQLException e) {
            if (loop != null && !loop.running()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "LISTEN connection lost: " + e.getMessage());
            drop();
        }
    }

    private void connect() throws SQLException {
        Connection c = db.dedicatedConnection();
        try (Statement s = c.createStatement()) {
            for (String ch : channels.keySet()) {
                s.execute("LISTEN " + ch);
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        conn = c;
        lastProbe = System.nanoTime();
        listening = true;
    }

    private void probe() throws SQLException {
        lastProbe = System.nanoTime();
        try (Statement s = conn.createStatement()) {
            s.setQueryTimeout(5);
            s.execute("SELECT 1");
        }
    }

    private void drop() {
        listening = false;
        Connection c = conn;
        conn = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "notification handler failed", e);
        }
    }

    /** For tests: the backend pid of the LISTEN connection, or -1 while it is down. */
    public int backendPid() {
        Connection c = conn;
        try {
            return c == null ? -1 : c.unwrap(PGConnection.class).getBackendPID();
        } catch (SQLException e) {
            return -1;
        }
    }

    static List<String> items(String payload) {
        return payload == null || payload.isBlank() ? List.of() : List.of(payload.trim().split(" +"));
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.close();
        }
        drop();
    }
}
