package dev.agentcommander.controlplane.notify;

import dev.agentcommander.controlplane.db.HostRows;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code notifications} table. Rows are written before anything is sent: an {@code approval.pending} in the
 * ingest transaction of its approval, the others derived by the worker from what Postgres already holds (a cleared
 * approval, a session waiting too long, a host gone, a job's exit event) with deterministic ids and
 * {@code ON CONFLICT DO NOTHING}, so replicas deriving at once write each row once. A worker claims due rows with
 * {@code FOR UPDATE SKIP LOCKED} and leases them (moves {@code next_at} past the send), so one replica sends each
 * and a replica that dies mid-send only delays it until the lease ends.
 */
final class NotificationRows {
    /** Hosts that went away longer ago than this are not announced (they were gone before anyone could tell). */
    static final Duration OFFLINE_AFTER = Duration.ofSeconds(60);
    static final Duration OFFLINE_HORIZON = Duration.ofHours(1);
    /** Events younger than this are left for the next round: a lower id may still be committing. */
    static final Duration EVENT_SETTLE = Duration.ofSeconds(2);

    private NotificationRows() {
    }

    /** A claimed row to send. */
    record Claimed(String id, Channel channel, Kind kind, String subject, int attempts, Instant createdAt) {
    }

    static void enqueue(Connection c, String id, Kind kind, String subject, List<Channel> channels, Instant due,
                        Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notifications (id, channel, kind, subject, "
                + "next_at, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Channel ch : channels) {
                ps.setString(1, id);
                ps.setString(2, ch.wire());
                ps.setString(3, kind.wire());
                ps.setString(4, subject);
                ps.setTimestamp(5, Timestamp.from(due));
                ps.setTimestamp(6, Timestamp.from(now));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Queues what the database says happened since the last round; returns how many rows were written. */
    static int derive(Connection c, List<Channel> channels, Duration waiting, Instant now) throws SQLException {
        Array chans = c.createArrayOf("text", channels.stream().map(Channel::wire).toArray());
        Timestamp t = Timestamp.from(now);
        int n = 0;
        // an approval.pending that was sent and whose approval is no longer pending: its approval.cleared, per channel
        try (PreparedStatement ps = c.prepareStatement("WITH cleared AS (UPDATE notifications n SET status = 'done' "
                + "FROM approvals a WHERE n.kind = 'approval.pending' AND n.status = 'sent' AND a.id = n.subject "
                + "AND (a.status <> 'pending' OR a.expires_at <= ?) RETURNING n.subject, n.channel) "
                + "INSERT INTO notifications (id, channel, kind, subject, next_at, created_at) "
                + "SELECT 'approval.cleared:' || subject, channel, 'approval.cleared', subject, ?, ? FROM cleared "
                + "ON CONFLICT DO NOTHING")) {
            ps.setTimestamp(1, t);
            ps.setTimestamp(2, t);
            ps.setTimestamp(3, t);
            n += ps.executeUpdate();
        }
        // a session whose last status change made it WAITING longer ago than NOTIFY_WAITING_SECONDS: once per change
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notifications (id, channel, kind, subject, "
                + "next_at, created_at) SELECT 'session.waiting:' || e.id, ch, 'session.waiting', s.id, ?, ? "
                + "FROM sessions s JOIN LATERAL (SELECT id, ts, payload FROM events WHERE session_id = s.id "
                + "AND type = 'status.changed' ORDER BY id DESC LIMIT 1) e ON true CROSS JOIN unnest(?::text[]) ch "
                + "WHERE s.status = 'WAITING' AND e.payload->>'to' = 'WAITING' AND e.ts <= ? "
                + "ON CONFLICT DO NOTHING")) {
            ps.setTimestamp(1, t);
            ps.setTimestamp(2, t);
            ps.setArray(3, chans);
            ps.setTimestamp(4, Timestamp.from(now.minus(waiting)));
            n += ps.executeUpdate();
        }
        // a host without a link for OFFLINE_AFTER: once per disconnection (keyed by when it was last seen)
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notifications (id, channel, kind, subject, "
                + "next_at, created_at) SELECT 'host.offline:' || h.id || ':' || "
                + "(extract(epoch FROM h.last_seen_at) * 1000)::bigint, ch, 'host.offline', h.id, ?, ? "
                + "FROM hosts h CROSS JOIN unnest(?::text[]) ch WHERE NOT " + HostRows.connected("h")
                + " AND h.last_seen_at <= ? AND h.last_seen_at > ? ON CONFLICT DO NOTHING")) {
            ps.setTimestamp(1, t);
            ps.setTimestamp(2, t);
            ps.setArray(3, chans);
            ps.setTimestamp(4, Timestamp.from(now.minus(OFFLINE_AFTER)));
            ps.setTimestamp(5, Timestamp.from(now.minus(OFFLINE_HORIZON)));
            n += ps.executeUpdate();
        }
        n += finishedJobs(c, chans, t);
        return n;
    }

    /** job.exited events after the cursor (settled ones only), then the cursor moves past them. */
    private static int finishedJobs(Connection c, Array chans, Timestamp t) throws SQLException {
        long from;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT last_id FROM notify_cursors WHERE name = 'job.finished' FOR UPDATE SKIP LOCKED");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return 0; // another replica is at it
            }
            from = rs.getLong(1);
        }
        long to = from;
        try (PreparedStatement ps = c.prepareStatement("SELECT max(id) FROM (SELECT id FROM events WHERE "
                + "type = 'job.exited' AND id > ? AND created_at <= now() - make_interval(secs => ?) "
                + "ORDER BY id LIMIT 500) e")) {
            ps.setLong(1, from);
            ps.setDouble(2, EVENT_SETTLE.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    to = rs.getLong(1);
                }
            }
        }
        if (to == from) {
            return 0;
        }
        int n;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notifications (id, channel, kind, subject, "
                + "next_at, created_at) SELECT 'job.finished:' || e.id, ch, 'job.finished', e.id::text, ?, ? "
                + "FROM events e CROSS JOIN unnest(?::text[]) ch WHERE e.type = 'job.exited' AND e.id > ? "
                + "AND e.id <= ? ON CONFLICT DO NOTHING")) {
            ps.setTimestamp(1, t);
            ps.setTimestamp(2, t);
            ps.setArray(3, chans);
            ps.setLong(4, from);
            ps.setLong(5, to);
            n = ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE notify_cursors SET last_id = ? WHERE name = 'job.finished'")) {
            ps.setLong(1, to);
            ps.executeUpdate();
        }
        return n;
    }

    /**
     * Deletes finished rows created before {@code before}: all but pending ones and the sent
     * {@code approval.pending} rows that still wait for their approval to clear.
     */
    static int prune(Connection c, Instant before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM notifications WHERE created_at < ? AND "
                + "(status IN ('done', 'skipped', 'failed') OR (status = 'sent' AND kind <> 'approval.pending'))")) {
            ps.setTimestamp(1, Timestamp.from(before));
            return ps.executeUpdate();
        }
    }

    /** Claims up to {@code limit} due rows for {@code lease}; another replica's claim is skipped, not waited on. */
    static List<Claimed> claim(Connection c, Instant now, Duration lease, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET next_at = ?, attempts = attempts + 1 "
                + "WHERE (id, channel) IN (SELECT id, channel FROM notifications WHERE status = 'pending' "
                + "AND next_at <= ? ORDER BY next_at LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "RETURNING id, channel, kind, subject, attempts, created_at")) {
            ps.setTimestamp(1, Timestamp.from(now.plus(lease)));
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setInt(3, limit);
            List<Claimed> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Claimed(rs.getString(1), Channel.fromWire(rs.getString(2)),
                            Kind.fromWire(rs.getString(3)), rs.getString(4), rs.getInt(5),
                            rs.getTimestamp(6).toInstant()));
                }
            }
            return out;
        }
    }

    /** The row's outcome: {@code status} sent / skipped / failed, or pending again at {@code retryAt}. */
    static void finish(Connection c, Claimed n, String status, Instant now, Instant retryAt, String error)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET status = ?, sent_at = ?, "
                + "next_at = COALESCE(?, next_at), last_error = ? WHERE id = ? AND channel = ? AND status = 'pending'")) {
            ps.setString(1, status);
            ps.setTimestamp(2, "sent".equals(status) ? Timestamp.from(now) : null);
            ps.setTimestamp(3, retryAt == null ? null : Timestamp.from(retryAt));
            ps.setString(4, error);
            ps.setString(5, n.id());
            ps.setString(6, n.channel().wire());
            ps.executeUpdate();
        }
    }
}
