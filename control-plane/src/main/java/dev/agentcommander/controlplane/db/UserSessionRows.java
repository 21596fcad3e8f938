package dev.agentcommander.controlplane.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The {@code user_sessions} table (browser sessions) and {@code login_links_used}. Session ids arrive here only as
 * their SHA-256 hash: a copy of the table signs nobody in.
 */
public final class UserSessionRows {
    private UserSessionRows() {
    }

    /** A live session joined with its user, as cookie authentication needs it. */
    public record Live(String idHash, UserRows.User user, Instant lastSeenAt, Instant expiresAt) {
    }

    public static void insert(Connection c, String idHash, long userId, Instant now, Instant expiresAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_sessions (id_hash, user_id, created_at, "
                + "last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, idHash);
            ps.setLong(2, userId);
            Rows.setInstant(ps, 3, now);
            Rows.setInstant(ps, 4, now);
            Rows.setInstant(ps, 5, expiresAt);
            ps.executeUpdate();
        }
    }

    /**
     * The session {@code idHash} when it is not revoked, has not passed {@code expires_at}, was seen after
     * {@code idleSince}, and its user is not disabled; else null.
     */
    public static Live live(Connection c, String idHash, Instant now, Instant idleSince) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT s.id_hash, s.last_seen_at, s.expires_at, "
                + prefixed() + " FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? "
                + "AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at > ? AND NOT u.disabled")) {
            ps.setString(1, idHash);
            Rows.setInstant(ps, 2, now);
            Rows.setInstant(ps, 3, idleSince);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Live(rs.getString("id_hash"), UserRows.from(rs), Rows.instant(rs, "last_seen_at"),
                        Rows.instant(rs, "expires_at"));
            }
        }
    }

    private static String prefixed() {
        StringBuilder b = new StringBuilder();
        for (String col : UserRows.COLS.split(",\\s*")) {
            b.append(b.isEmpty() ? "" : ", ").append("u.").append(col);
        }
        return b.toString();
    }

    /** Moves last_seen_at forward (never back: replicas race). */
    public static void touch(Connection c, String idHash, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE user_sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?")) {
            Rows.setInstant(ps, 1, now);
            ps.setString(2, idHash);
            Rows.setInstant(ps, 3, now);
            ps.executeUpdate();
        }
    }

    /** Revokes one session; the user id it belonged to, or null when it was not live. */
    public static Long revoke(Connection c, String idHash, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE user_sessions SET revoked_at = ? WHERE id_hash = ? "
                + "AND revoked_at IS NULL RETURNING user_id")) {
            Rows.setInstant(ps, 1, now);
            ps.setString(2, idHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** Revokes every session of {@code userId}; how many were live. */
    public static int revokeUser(Connection c, long userId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE user_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")) {
            Rows.setInstant(ps, 1, now);
            ps.setLong(2, userId);
            return ps.executeUpdate();
        }
    }

    /** Records a one-time link as used; false when it already was. */
    public static boolean useLink(Connection c, String codeHash, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO login_links_used (code_hash, used_at) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, codeHash);
            Rows.setInstant(ps, 2, now);
            return ps.executeUpdate() == 1;
        }
    }
}
