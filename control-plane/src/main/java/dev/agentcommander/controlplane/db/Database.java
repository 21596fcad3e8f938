package dev.agentcommander.controlplane.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The pool and the transaction helper every repository uses. Migrations run before the pool is handed out, so
 * code never sees an old schema. SQL failures become {@link DbException} (unchecked) so they can be mapped to 503.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Tx<T> {
        T run(Connection c) throws SQLException;
    }

    private Database(HikariDataSource pool) {
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
        return new Database(ds);
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

    /** Whether the database answers a trivial query within a second. */
    public boolean healthy() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(1);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
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
