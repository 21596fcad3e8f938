package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.loop.NamedLoop;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes events older than {@code EVENTS_RETENTION_DAYS} and audit rows older than {@code AUDIT_RETENTION_DAYS},
 * so the two tables that grow with use stay bounded. In batches of {@link Settings#batch()} rows, each its own
 * short statement with a pause after it, so that neither ingest nor the dashboard waits on one long delete.
 *
 * <p>One replica runs it at a time: a run holds a session-level Postgres advisory lock ({@link #LOCK_KEY}) on its
 * connection from the first batch to the last; a replica that does not get it skips the run. A replica that dies
 * mid-run loses its connection and with it the lock, so the next run elsewhere goes on from where it stopped
 * (every batch is committed on its own). Events go by {@code created_at} (when this server stored them, its clock:
 * an agent's clock may be off); the audit log by {@code at}. A run that deleted audit rows says so in the audit log.
 */
public final class Retention implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Retention.class.getName());
    /** The advisory lock key of retention runs ("acretain" in ASCII). */
    public static final long LOCK_KEY = 0x6163_7265_7461_696eL;

    /**
     * {@code events} / {@code audit}: how long rows are kept ({@link Duration#ZERO} = forever); {@code batch} rows
     * per statement, {@code pause} after each; the first run {@code firstAfter} the start, then {@code every}.
     */
    public record Settings(Duration events, Duration audit, int batch, Duration pause, Duration firstAfter,
                           Duration every) {
        public Settings {
            if (batch < 1 || batch > 100_000) {
                throw new IllegalArgumentException("batch must be 1..100000, got " + batch);
            }
        }

        /** Days as configured; batches of 1 000 rows, 200 ms apart; the first run a minute after start, then hourly. */
        public static Settings days(int eventsDays, int auditDays) {
            return new Settings(Duration.ofDays(eventsDays), Duration.ofDays(auditDays), 1_000,
                    Duration.ofMillis(200), Duration.ofMinutes(1), Duration.ofHours(1));
        }
    }

    /** One run: whether this replica held the lock, and the rows it deleted. */
    public record Run(boolean ran, long events, long audit) {
    }

    private final Database db;
    private final Settings settings;
    private final Clock clock;
    private NamedLoop loop;

    public Retention(Database db, Settings settings, Clock clock) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
    }

    /** Starts the {@code retention} loop (nothing to do when both tables are kept forever). */
    public Retention start() {
        if (!settings.events().isZero() || !settings.audit().isZero()) {
            loop = NamedLoop.start("retention", this::round);
        }
        return this;
    }

    private boolean first = true;

    private void round() throws InterruptedException {
        Thread.sleep((first ? settings.firstAfter() : settings.every()).toMillis());
        first = false;
        try {
            Run r = runOnce();
            if (r.events() + r.audit() > 0) {
                LOG.log(System.Logger.Level.INFO, "retention deleted " + r.events() + " events and " + r.audit()
                        + " audit rows");
            }
        } catch (DbException e) {
            LOG.log(System.Logger.Level.WARNING, "retention run failed (next in " + settings.every() + "): "
                    + e.getMessage());
        }
    }

    /** One run now: every row past its retention, batch by batch, if no other replica is running one. */
    public Run runOnce() throws InterruptedException {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(true);
            if (!advisory(c, "pg_try_advisory_lock")) {
                return new Run(false, 0, 0);
            }
            try {
                Instant now = clock.instant();
                long events = settings.events().isZero() ? 0 : deleteBefore(c, "events", "created_at",
                        now.minus(settings.events()));
                long audit = settings.audit().isZero() ? 0 : deleteBefore(c, "audit_log", "at",
                        now.minus(settings.audit()));
                if (audit > 0) {
                    ObjectNode detail = Json.mapper().createObjectNode().put("audit_rows", audit)
                            .put("older_than_days", settings.audit().toDays());
                    Audit.write(c, "retention", "system", "audit.retention", null, detail);
                }
                return new Run(true, events, audit);
            } finally {
                advisory(c, "pg_advisory_unlock");
            }
        } catch (SQLException e) {
            throw new DbException(e);
        }
    }

    /** Deletes {@code table}'s rows with {@code column} before {@code cutoff}, a batch at a time. */
    private long deleteBefore(Connection c, String table, String column, Instant cutoff)
            throws SQLException, InterruptedException {
        String sql = "DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table + " WHERE " + column
                + " < ? ORDER BY " + column + " LIMIT ?)";
        long total = 0;
        while (true) {
            int n;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Rows.setInstant(ps, 1, cutoff);
                ps.setInt(2, settings.batch());
                n = ps.executeUpdate();
            }
            total += n;
            if (n < settings.batch()) {
                return total;
            }
            Thread.sleep(settings.pause().toMillis());
        }
    }

    private static boolean advisory(Connection c, String function) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
