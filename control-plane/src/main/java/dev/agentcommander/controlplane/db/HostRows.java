package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The {@code hosts} table. Tokens never touch it in clear: callers pass the SHA-256 hash. */
public final class HostRows {
    private static final String PUBLIC_COLS = "id, name, last_acked_seq, connection_epoch, last_seen_at, "
            + "agent_version, created_at, outbox_backlog, rss_bytes, heartbeat_at, " + connected("hosts")
            + " AS connected";

    private HostRows() {
    }

    /**
     * Whether the host row {@code alias} is held by a live socket, on any replica: the socket that set
     * {@code connected_epoch} at its handshake is still the newest (no newer handshake, no rotated token) and has
     * not closed.
     */
    public static String connected(String alias) {
        return "(" + alias + ".connected_epoch IS NOT NULL AND " + alias + ".connected_epoch = " + alias
                + ".connection_epoch)";
    }

    /** Epoch and server-side ack position after a handshake. */
    public record Handshake(long epoch, long lastAckedSeq) {
    }

    public static ObjectNode insert(Connection c, String name, String tokenHash) throws SQLException {
        String id = "h_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO hosts (id, name, token_hash) VALUES (?, ?, ?) "
                + "RETURNING " + PUBLIC_COLS)) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, tokenHash);
            return one(ps);
        }
    }

    public static ObjectNode find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PUBLIC_COLS + " FROM hosts WHERE id = ?")) {
            ps.setString(1, id);
            return one(ps);
        }
    }

    public static ObjectNode findByName(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PUBLIC_COLS + ", token_hash FROM hosts WHERE name = ?")) {
            ps.setString(1, name);
            return one(ps);
        }
    }

    /** The host id owning this token hash, or null. */
    public static String idForTokenHash(Connection c, String tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hosts WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    public static List<ObjectNode> list(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PUBLIC_COLS + " FROM hosts ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            List<ObjectNode> out = new ArrayList<>();
            while (rs.next()) {
                out.add(Rows.toJson(rs));
            }
            return out;
        }
    }

    /**
     * Replaces the host's token and bumps its connection epoch in the same statement: a socket opened with the old
     * token, on any replica, no longer holds the current epoch and is refused at its next batch, delivery or
     * heartbeat. False when the host does not exist.
     */
    public static boolean rotateToken(Connection c, String id, String tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE hosts SET token_hash = ?, connection_epoch = connection_epoch + 1 WHERE id = ?")) {
            ps.setString(1, tokenHash);
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    public static boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM hosts WHERE id = ?")) {
            ps.setString(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * A new connection takes over the host: bumps the epoch so an older socket knows it lost, and marks the host
     * connected by this epoch; null when deleted.
     */
    public static Handshake handshake(Connection c, String id, String agentVersion, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hosts SET connection_epoch = connection_epoch + 1, "
                + "connected_epoch = connection_epoch + 1, agent_version = ?, last_seen_at = ? WHERE id = ? "
                + "RETURNING connection_epoch, last_acked_seq")) {
            ps.setString(1, agentVersion);
            Rows.setInstant(ps, 2, now);
            ps.setString(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Handshake(rs.getLong(1), rs.getLong(2)) : null;
            }
        }
    }

    /**
     * Locks the host row for one ingest batch (serialises ingest per host across sockets and replicas); null when
     * the host was deleted. NO KEY UPDATE, so inserts that reference the host (commands from REST) do not wait.
     */
    public static Handshake lockForIngest(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT connection_epoch, last_acked_seq FROM hosts WHERE id = ? FOR NO KEY UPDATE")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Handshake(rs.getLong(1), rs.getLong(2)) : null;
            }
        }
    }

    /** Whether {@code epoch} is still the host's current connection epoch (false when superseded or deleted). */
    public static boolean holdsEpoch(Connection c, String id, long epoch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM hosts WHERE id = ? AND connection_epoch = ?")) {
            ps.setString(1, id);
            ps.setLong(2, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public static void setAcked(Connection c, String id, long seq, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE hosts SET last_acked_seq = ?, last_seen_at = ? WHERE id = ?")) {
            ps.setLong(1, seq);
            Rows.setInstant(ps, 2, now);
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    /**
     * The socket of {@code epoch} closed: the host is no longer connected, unless a newer socket holds it already
     * (then nothing changes). {@code ackedSeq} is the last seq that socket acked: acks of console frames only run
     * ahead of the row, and the next connection resumes from it. True when this changed the host's state.
     */
    public static boolean disconnected(Connection c, String id, long epoch, long ackedSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hosts SET connected_epoch = NULL, "
                + "last_acked_seq = GREATEST(last_acked_seq, ?) WHERE id = ? AND connected_epoch = ?")) {
            ps.setLong(1, ackedSeq);
            ps.setString(2, id);
            ps.setLong(3, epoch);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records that the connection of {@code epoch} is alive; false when that epoch is no longer current. */
    public static boolean touch(Connection c, String id, long epoch, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE hosts SET last_seen_at = ? WHERE id = ? AND connection_epoch = ?")) {
            Rows.setInstant(ps, 1, now);
            ps.setString(2, id);
            ps.setLong(3, epoch);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * {@link #touch} that also keeps what the agent's heartbeat said about itself ({@code outbox_backlog},
     * {@code rss_bytes}, either null when the agent did not say) and when ({@code heartbeat_at}); false when
     * {@code epoch} is no longer current.
     */
    public static boolean heartbeat(Connection c, String id, long epoch, Instant now, Long outboxBacklog,
                                    Long rssBytes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hosts SET last_seen_at = ?, heartbeat_at = ?, "
                + "outbox_backlog = ?, rss_bytes = ? WHERE id = ? AND connection_epoch = ?")) {
            Rows.setInstant(ps, 1, now);
            Rows.setInstant(ps, 2, now);
            ps.setObject(3, outboxBacklog, java.sql.Types.BIGINT);
            ps.setObject(4, rssBytes, java.sql.Types.BIGINT);
            ps.setString(5, id);
            ps.setLong(6, epoch);
            return ps.executeUpdate() == 1;
        }
    }

    private static ObjectNode one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Rows.toJson(rs) : null;
        }
    }
}
