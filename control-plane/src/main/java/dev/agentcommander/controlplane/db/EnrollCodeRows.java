package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * The {@code enroll_codes} table. Like host tokens, a code never touches it in clear: callers pass its SHA-256.
 * {@link #claim} is the one place a code is spent: a single conditional UPDATE, so of two transactions presenting
 * the same code the second waits for the first's row lock and then finds it used; if the first rolls back (its host
 * name was taken) the code is unspent again.
 */
public final class EnrollCodeRows {
    private static final String PUBLIC_COLS = "id, name, created_by, created_at, expires_at, used_at, host_id";

    private EnrollCodeRows() {
    }

    /** A spent code: its id and the host name it was made for (null: the box's own). */
    public record Claim(String id, String name) {
    }

    /** Why a code could not be claimed. */
    public enum Refusal { UNKNOWN, USED, EXPIRED }

    public static ObjectNode insert(Connection c, String codeHash, String name, String createdBy, Instant createdAt,
                                    Instant expiresAt) throws SQLException {
        String id = "ec_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO enroll_codes (id, code_hash, name, created_by, "
                + "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING " + PUBLIC_COLS)) {
            ps.setString(1, id);
            ps.setString(2, codeHash);
            ps.setString(3, name);
            ps.setString(4, createdBy);
            Rows.setInstant(ps, 5, createdAt);
            Rows.setInstant(ps, 6, expiresAt);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Rows.toJson(rs);
            }
        }
    }

    /** Marks the code used at {@code now} if it is unused and unexpired; null otherwise (see {@link #refusal}). */
    public static Claim claim(Connection c, String codeHash, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE enroll_codes SET used_at = ? WHERE code_hash = ? "
                + "AND used_at IS NULL AND expires_at > ? RETURNING id, name")) {
            Rows.setInstant(ps, 1, now);
            ps.setString(2, codeHash);
            Rows.setInstant(ps, 3, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Claim(rs.getString(1), rs.getString(2)) : null;
            }
        }
    }

    /** Why {@link #claim} found nothing to spend. */
    public static Refusal refusal(Connection c, String codeHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT used_at FROM enroll_codes WHERE code_hash = ?")) {
            ps.setString(1, codeHash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Refusal.UNKNOWN;
                }
                return rs.getTimestamp(1) != null ? Refusal.USED : Refusal.EXPIRED;
            }
        }
    }

    /** Records the host a claimed code made (same transaction as the claim and the host). */
    public static void madeHost(Connection c, String id, String hostId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE enroll_codes SET host_id = ? WHERE id = ?")) {
            ps.setString(1, hostId);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }
}
