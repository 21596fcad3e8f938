package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code users} table: people who sign in with GitHub (known by {@code github_id}) and the local users of the
 * one-time link ({@code github_id} null, unique login). Roles are the wire names {@code admin|operator|viewer}.
 */
public final class UserRows {
    static final String COLS = "id, login, email, name, avatar_url, role, disabled, github_id, created_at, "
            + "last_login_at";

    private UserRows() {
    }

    /** A user as the sign-in code needs it. */
    public record User(long id, String login, String email, String name, String avatarUrl, String role,
                       boolean disabled) {
    }

    public static User byGithubId(Connection c, long githubId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM users WHERE github_id = ?")) {
            ps.setLong(1, githubId);
            return one(ps);
        }
    }

    public static User byId(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM users WHERE id = ?")) {
            ps.setLong(1, id);
            return one(ps);
        }
    }

    /** Locks the row for the rest of the transaction (role changes). */
    public static User byIdForUpdate(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM users WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, id);
            return one(ps);
        }
    }

    /** Inserts a GitHub user, or refreshes its profile (login, email, name, avatar) and role; sets last_login_at. */
    public static User upsertGithub(Connection c, long githubId, String login, String email, String name,
                                    String avatarUrl, String role, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (github_id, login, email, name, avatar_url, "
                + "role, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (github_id) DO UPDATE "
                + "SET login = EXCLUDED.login, email = EXCLUDED.email, name = EXCLUDED.name, "
                + "avatar_url = EXCLUDED.avatar_url, role = EXCLUDED.role, last_login_at = EXCLUDED.last_login_at "
                + "RETURNING " + COLS)) {
            ps.setLong(1, githubId);
            ps.setString(2, login);
            ps.setString(3, email);
            ps.setString(4, name);
            ps.setString(5, avatarUrl);
            ps.setString(6, role);
            Rows.setInstant(ps, 7, now);
            Rows.setInstant(ps, 8, now);
            return one(ps);
        }
    }

    /** The local user {@code login} (no GitHub id), created with {@code role} the first time; sets last_login_at. */
    public static User upsertLocal(Connection c, String login, String role, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (login, name, role, created_at, "
                + "last_login_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (login) WHERE github_id IS NULL DO UPDATE "
                + "SET last_login_at = EXCLUDED.last_login_at RETURNING " + COLS)) {
            ps.setString(1, login);
            ps.setString(2, "local user");
            ps.setString(3, role);
            Rows.setInstant(ps, 4, now);
            Rows.setInstant(ps, 5, now);
            return one(ps);
        }
    }

    /** Every user, by login, as the REST API shows them. */
    public static List<ObjectNode> list(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM users ORDER BY login, id");
             ResultSet rs = ps.executeQuery()) {
            List<ObjectNode> out = new ArrayList<>();
            while (rs.next()) {
                out.add(Rows.toJson(rs));
            }
            return out;
        }
    }

    public static ObjectNode json(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM users WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.toJson(rs) : null;
            }
        }
    }

    /**
     * The ids of the active admins, locked until the transaction ends: two concurrent demotions cannot both see
     * "another admin is left".
     */
    public static List<Long> activeAdminsForUpdate(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE");
             ResultSet rs = ps.executeQuery()) {
            List<Long> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
            return out;
        }
    }

    public static void setRole(Connection c, long id, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET role = ? WHERE id = ?")) {
            ps.setString(1, role);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    public static void setDisabled(Connection c, long id, boolean disabled) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET disabled = ? WHERE id = ?")) {
            ps.setBoolean(1, disabled);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    static User from(ResultSet rs) throws SQLException {
        return new User(rs.getLong("id"), rs.getString("login"), rs.getString("email"), rs.getString("name"),
                rs.getString("avatar_url"), rs.getString("role"), rs.getBoolean("disabled"));
    }

    private static User one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? from(rs) : null;
        }
    }
}
