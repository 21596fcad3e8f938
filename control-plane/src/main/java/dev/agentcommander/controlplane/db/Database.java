package dev.agentcommander.controlplane.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.agentcommander.schema.loop.Backoff;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The pool and the transaction helper every repository uses. Migrations run before the pool is handed out, so
 * code never sees an old schema. SQL failures become {@link DbException} (unchecked) so they can be mapped to 503.
 *
 * <p>The pool outlives a database restart by itself: HikariCP validates a connection idle for more than 500 ms
 * before handing it out and drops one whose use failed with a connection error (SQLSTATE 08…). When the embedded
 * Postgres dies, {@link #evictAll()} drops every old connection at once, and once it is back {@link #reopen()}
 * replaces the pool: HikariCP's connection adder backs off up to 5 s while the server is away and cannot be woken,
 * so a fresh pool is what makes the restart visible to callers in milliseconds. {@link #health()} answers within
 * {@value #PROBE_WAIT_MS} ms even while connections hang.
 */
public final class Database implements AutoCloseable {
    static final long PROBE_WAIT_MS = 1500;
    private static final Duration REACH_WITHIN = Duration.ofSeconds(8);

    private final HikariConfig config;
    private volatile HikariDataSource pool;
    private volatile Supplier<DatabaseHealth> override = () -> null;
    private CompletableFuture<DatabaseHealth> probe;

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Tx<T> {
        T run(Connection c) throws SQLException;
    }

    private Database(HikariConfig config, HikariDataSource pool) {
        this.config = config;
        this.pool = pool;
    }

    /** Opens a pool on {@code url} (jdbc:postgresql: or postgres://user:pass@host/db) and migrates it. */
    public static Database open(String url, int maxPoolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl(url));
        hc.setMaximumPoolSize(maxPoolSize);
        hc.setPoolName("control-plane");
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(30_000);
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(hc, ds);
    }

    /**
     * Fails within 8 s with one line naming {@code setting} (e.g. DATABASE_URL) when {@code url} cannot be reached
     * or refuses its credentials. Only what may pass by itself (refused, timed out, a server still starting) is
     * retried; a bad password or a missing database fails at once. The password never appears in the message.
     */
    public static void requireReachable(String url, String setting) {
        String jdbc;
        Properties parsed;
        try {
            jdbc = jdbcUrl(url);
            parsed = org.postgresql.Driver.parseURL(jdbc, null);
        } catch (IllegalArgumentException e) {
            throw new StartupException(setting + ": not a valid Postgres URL (" + e.getMessage() + ")");
        }
        if (parsed == null) {
            throw new StartupException(setting + ": not a valid Postgres URL");
        }
        String where = parsed.getProperty("PGHOST") + ":" + parsed.getProperty("PGPORT") + "/"
                + parsed.getProperty("PGDBNAME") + " as " + parsed.getProperty("user", System.getProperty("user.name"));
        Instant deadline = Instant.now().plus(REACH_WITHIN);
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), RandomGenerator.getDefault(),
                Backoff.Sleeper.THREAD);
        while (true) {
            long left = Math.max(1, Duration.between(Instant.now(), deadline).toSeconds());
            Properties p = new Properties();
            p.setProperty("connectTimeout", Long.toString(Math.min(3, left)));
            p.setProperty("loginTimeout", Long.toString(Math.min(4, left)));
            p.setProperty("socketTimeout", "5");
            try (Connection c = DriverManager.getConnection(jdbc, p)) {
                return;
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                boolean permanent = state.startsWith("28") || state.startsWith("3D") || state.startsWith("42");
                Duration next = backoff.next();
                if (permanent || Instant.now().plus(next).isAfter(deadline)) {
                    throw new StartupException(setting + ": cannot connect to Postgres at " + where + ": "
                            + describe(e));
                }
                try {
                    Thread.sleep(next);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new StartupException(setting + ": interrupted while connecting to " + where);
                }
            }
        }
    }

    /** One line: the message, and the underlying cause when the driver's own message says little. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !m.contains(root.getMessage())) {
            m = m + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return m.replaceAll("\\s+", " ").strip();
    }

    /** Normalises a DATABASE_URL to a JDBC URL with batched-insert rewriting on. */
    static String jdbcUrl(String url) {
        String u = url;
        if (u.startsWith("postgres://") || u.startsWith("postgresql://")) {
            URI uri = URI.create(u);
            String user = null;
            String pass = null;
            if (uri.getRawUserInfo() != null) {
                String[] up = uri.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(up[0], StandardCharsets.UTF_8);
                pass = up.length > 1 ? URLDecoder.decode(up[1], StandardCharsets.UTF_8) : null;
            }
            StringBuilder b = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
            if (uri.getPort() > 0) {
                b.append(':').append(uri.getPort());
            }
            b.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath());
            b.append('?').append(uri.getRawQuery() == null ? "" : uri.getRawQuery() + "&");
            if (user != null) {
                b.append("user=").append(URLEncoder.encode(user, StandardCharsets.UTF_8)).append('&');
            }
            if (pass != null) {
                b.append("password=").append(URLEncoder.encode(pass, StandardCharsets.UTF_8)).append('&');
            }
            u = b.substring(0, b.length() - 1);
        }
        if (!u.toLowerCase(Locale.ROOT).contains("rewritebatchedinserts")) {
            u = u + (u.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        }
        return u;
    }

    /**
     * A connection of its own, outside the pool, on the same URL: for a session that must stay open and whose
     * state matters (LISTEN). The caller closes it. Connect and login give up after 5 s, and a read after 10 s, so
     * a silently cut network shows as an error instead of a read that hangs until TCP gives up.
     */
    public Connection dedicatedConnection() throws SQLException {
        Properties p = new Properties();
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "5");
        p.setProperty("socketTimeout", "10");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "agent-commander-listen");
        return DriverManager.getConnection(config.getJdbcUrl(), p);
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Runs {@code work} in one transaction; commits when it returns, rolls back when it throws. */
    public <T> T tx(Tx<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw new DbException(e);
        }
    }

    /** Whether the database answers a trivial query now (see {@link #health()}). */
    public boolean healthy() {
        return health().ok();
    }

    /**
     * The database as {@code /health} reports it: what the supervisor of the embedded Postgres says while it is
     * not running, else a live probe through the pool. Concurrent callers share one probe, and none waits longer
     * than {@value #PROBE_WAIT_MS} ms for it.
     */
    public DatabaseHealth health() {
        DatabaseHealth s = override.get();
        if (s != null) {
            return s;
        }
        CompletableFuture<DatabaseHealth> p;
        synchronized (this) {
            if (probe == null || probe.isDone()) {
                HikariDataSource target = pool;
                CompletableFuture<DatabaseHealth> f = new CompletableFuture<>();
                Thread.ofVirtual().name("db-health-probe").start(() -> f.complete(probeNow(target)));
                probe = f;
            }
            p = probe;
        }
        DatabaseHealth answer;
        try {
            answer = p.get(PROBE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer = DatabaseHealth.down("no database connection within " + PROBE_WAIT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DatabaseHealth.down("interrupted");
        } catch (ExecutionException e) {
            answer = DatabaseHealth.down(describe(e.getCause()));
        }
        DatabaseHealth now = override.get(); // the server may have died while this caller waited
        return now != null ? now : answer;
    }

    private static DatabaseHealth probeNow(HikariDataSource pool) {
        try (Connection c = pool.getConnection()) {
            if (c.isValid(1)) {
                return DatabaseHealth.OK;
            }
            pool.evictConnection(c);
            return DatabaseHealth.down("the database did not answer within 1 s");
        } catch (SQLException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return DatabaseHealth.down(describe(cause));
        }
    }

    /** Lets the supervisor of the embedded Postgres answer for the database while it is not running. */
    void reportFrom(Supplier<DatabaseHealth> supervisor) {
        this.override = supervisor;
    }

    /**
     * A new pool on the same URL in place of the current one, whose connections all belong to a server that has
     * just been restarted; the old pool is closed in the background (a caller still waiting in it gets a
     * SQLException and retries).
     */
    public synchronized void reopen() {
        HikariConfig hc = new HikariConfig();
        config.copyStateTo(hc);
        hc.setInitializationFailTimeout(-1); // the server was just seen accepting connections
        HikariDataSource old = pool;
        pool = new HikariDataSource(hc);
        probe = null; // one still waiting in the old pool would answer for the dead server: the next caller probes anew
        // closing waits for the old pool's adder, which may be asleep in its backoff: not on the caller's time
        Thread.ofVirtual().name("db-pool-close").start(old::close);
    }

    /** Drops every pooled connection (idle ones now, busy ones when returned): they belong to a dead server. */
    public void evictAll() {
        var mx = pool.getHikariPoolMXBean();
        if (mx != null) {
            mx.softEvictConnections();
        }
    }

    /** The pool now: connections in use, idle, open in all, callers waiting for one, and the pool's bound. */
    public record PoolStats(int active, int idle, int total, int waiting, int max) {
    }

    /** What the current pool holds (the one after a {@link #reopen()}); zeros while it is starting. */
    public PoolStats poolStats() {
        HikariDataSource p = pool;
        var mx = p.getHikariPoolMXBean();
        if (mx == null) {
            return new PoolStats(0, 0, 0, 0, p.getMaximumPoolSize());
        }
        return new PoolStats(mx.getActiveConnections(), mx.getIdleConnections(), mx.getTotalConnections(),
                mx.getThreadsAwaitingConnection(), p.getMaximumPoolSize());
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool drops it
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
