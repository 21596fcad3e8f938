package dev.agentcommander.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retention on a real Postgres: rows past their retention go, in batches, and younger ones stay; a replica that
 * does not hold the advisory lock deletes nothing. The server's own loop is off here (0 days), so only the
 * instances a test makes touch the rows.
 */
class RetentionTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension()
            .configured(c -> c.withOps(c.ops().withRetention(0, 0)));

    /** "Now" for the retention under test: the rows below are placed relative to it. */
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static String hostId;
    private static long seq;

    @BeforeEach
    void host() {
        if (hostId == null) {
            hostId = cp.createHost("retained").at("/host/id").asText();
        }
        sql("DELETE FROM events WHERE host_id = ?", hostId);
        sql("DELETE FROM audit_log WHERE actor IN ('retention-test', 'retention')");
    }

    private static Database db() {
        return cp.controlPlane().database();
    }

    private static void sql(String sql, Object... args) {
        db().tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void events(int n, Duration age, String type) {
        for (int i = 0; i < n; i++) {
            sql("INSERT INTO events (host_id, seq, type, ts, created_at) VALUES (?, ?, ?, ?, ?)", hostId, ++seq,
                    type, java.sql.Timestamp.from(NOW.minus(age)), java.sql.Timestamp.from(NOW.minus(age)));
        }
    }

    private static void audits(int n, Duration age, String action) {
        for (int i = 0; i < n; i++) {
            sql("INSERT INTO audit_log (at, actor, action) VALUES (?, 'retention-test', ?)",
                    java.sql.Timestamp.from(NOW.minus(age)), action);
        }
    }

    private static long events(String type) {
        return cp.count("SELECT count(*) FROM events WHERE host_id = '" + hostId + "' AND type = '" + type + "'");
    }

    private static long audits(String action) {
        return cp.count("SELECT count(*) FROM audit_log WHERE actor = 'retention-test' AND action = '" + action
                + "'");
    }

    private static Retention retention(int batch, Duration pause) {
        return new Retention(db(), new Retention.Settings(Duration.ofDays(30), Duration.ofDays(365), batch, pause,
                Duration.ofHours(1), Duration.ofHours(1)), CLOCK);
    }

    @Test
    void deletesEventsAndAuditRowsPastTheirRetentionInBatchesAndKeepsYoungerOnes() throws Exception {
        events(25, Duration.ofDays(31), "old");
        events(5, Duration.ofDays(29), "new");
        audits(7, Duration.ofDays(366), "old");
        audits(3, Duration.ofDays(364), "new");
        Retention.Run run = retention(10, Duration.ofMillis(5)).runOnce();
        assertThat(run).isEqualTo(new Retention.Run(true, 25, 7));
        assertThat(events("old")).isZero();
        assertThat(events("new")).isEqualTo(5);
        assertThat(audits("old")).isZero();
        assertThat(audits("new")).isEqualTo(3);
        assertThat(cp.string("SELECT detail->>'audit_rows' FROM audit_log WHERE action = 'audit.retention'"))
                .as("the deletion is audited").isEqualTo("7");
        assertThat(retention(10, Duration.ZERO).runOnce()).as("nothing left to do")
                .isEqualTo(new Retention.Run(true, 0, 0));
    }

    @Test
    void aReplicaThatDoesNotHoldTheLockDeletesNothing() throws Exception {
        events(3, Duration.ofDays(40), "old");
        try (Connection other = db().dataSource().getConnection()) {
            lock(other, "pg_advisory_lock");
            assertThat(retention(10, Duration.ZERO).runOnce()).isEqualTo(new Retention.Run(false, 0, 0));
            assertThat(events("old")).isEqualTo(3);
            lock(other, "pg_advisory_unlock");
        }
        assertThat(retention(10, Duration.ZERO).runOnce().events()).isEqualTo(3);
    }

    @Test
    void ofTwoReplicasRunningAtOnceOnlyOneDeletes() throws Exception {
        events(20, Duration.ofDays(45), "old");
        Retention slow = retention(1, Duration.ofMillis(100)); // ~2 s: one row a batch
        CompletableFuture<Retention.Run> first = CompletableFuture.supplyAsync(() -> {
            try {
                return slow.runOnce();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("the first run holds the lock", () -> advisoryLocksHeld() == 1);
        Retention.Run second = retention(1000, Duration.ZERO).runOnce();
        assertThat(second).as("the second replica skips").isEqualTo(new Retention.Run(false, 0, 0));
        assertThat(first.get()).isEqualTo(new Retention.Run(true, 20, 0));
        assertThat(events("old")).isZero();
        assertThat(advisoryLocksHeld()).as("released").isZero();
    }

    @Test
    void theLoopRunsOnItsOwnAfterItsFirstDelay() {
        events(4, Duration.ofDays(31), "old");
        events(1, Duration.ofDays(1), "new");
        try (Retention loop = new Retention(db(), new Retention.Settings(Duration.ofDays(30), Duration.ZERO, 100,
                Duration.ZERO, Duration.ofMillis(10), Duration.ofHours(1)), CLOCK).start()) {
            Await.until("the loop deleted the old events", () -> events("old") == 0);
        }
        assertThat(events("new")).isEqualTo(1);
    }

    private static long advisoryLocksHeld() {
        return cp.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = "
                + (Retention.LOCK_KEY & 0xffffffffL));
    }

    private static void lock(Connection c, String function) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?)")) {
            ps.setLong(1, Retention.LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }
}
