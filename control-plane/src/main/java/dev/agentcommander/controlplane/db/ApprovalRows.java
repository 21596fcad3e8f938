package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code approvals} table. A decision is taken with {@code WHERE status = 'pending'} so that exactly one of any
 * number of concurrent decisions wins, on any replica; the agent's {@code approval.resolved} sets the final status.
 */
public final class ApprovalRows {
    private ApprovalRows() {
    }

    /** A decision to deliver to the host. */
    public record Decision(String id, ApprovalBehavior behavior, String message, JsonNode updatedInput,
                           JsonNode updatedPermissions) {
    }

    public static boolean insert(Connection c, String hostId, AgentMessage.ApprovalRequested a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO approvals (id, host_id, session_id, tool_name, "
                + "tool_input, permission_suggestions, cwd, review, expires_at, prompt_id, tool_use_id, "
                + "permission_choices, screen_unreadable) "
                + "VALUES (?, ?, ?, ?, COALESCE(?::jsonb, '{}'::jsonb), ?::jsonb, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?) "
                + "ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, a.approvalId());
            ps.setString(2, hostId);
            ps.setString(3, a.sessionId());
            ps.setString(4, a.toolName());
            ps.setString(5, Rows.jsonText(a.toolInput()));
            ps.setString(6, Rows.jsonText(a.permissionSuggestions()));
            ps.setString(7, a.cwd());
            ps.setString(8, Rows.jsonText(a.review()));
            Rows.setInstant(ps, 9, parseInstant(a.expiresAt()));
            ps.setString(10, a.promptId());
            ps.setString(11, a.toolUseId());
            ps.setString(12, Rows.jsonText(a.permissionChoices()));
            ps.setBoolean(13, Boolean.TRUE.equals(a.screenUnreadable()));
            return ps.executeUpdate() == 1;
        }
    }

    /** Whether approval {@code id} exists and was raised by {@code hostId}. */
    public static boolean ownedBy(Connection c, String hostId, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM approvals WHERE id = ? AND host_id = ?")) {
            ps.setString(1, id);
            ps.setString(2, hostId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The host's final word (allowed | denied | expired | cancelled); false when unknown to this host. */
    public static boolean resolve(Connection c, String hostId, String id, ApprovalOutcome outcome, Instant now)
            throws SQLException {
        return resolve(c, hostId, id, outcome, null, now) != null;
    }

    /**
     * The host's final word with its reason ({@code answered_in_pane} …); the row before the update (its
     * {@code decided_by} tells whether a person's decision was overtaken), or null when unknown to this host or
     * resolved already.
     */
    public static ObjectNode resolve(Connection c, String hostId, String id, ApprovalOutcome outcome, String reason,
                                     Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE approvals a SET status = ?, resolved_at = ?, reason = ? "
                + "FROM approvals prior WHERE a.id = ? AND a.host_id = ? AND a.resolved_at IS NULL "
                + "AND prior.id = a.id RETURNING prior.decided_by, prior.behavior")) {
            ps.setString(1, outcome.wire());
            Rows.setInstant(ps, 2, now);
            ps.setString(3, reason);
            ps.setString(4, id);
            ps.setString(5, hostId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.toJson(rs) : null;
            }
        }
    }

    /** The reason a decision on this row is refused, for the 409's message ({@link #decide} returned null). */
    public static String refusal(ObjectNode row) {
        String id = row.path("id").asText();
        String st = row.path("status").asText();
        if ("pending".equals(st)) {
            return "approval " + id + " has expired";
        }
        if ("answered_in_pane".equals(row.path("reason").asText())) {
            return "approval " + id + " was answered in the pane: the person at the terminal decided, nothing was "
                    + "sent";
        }
        return "approval " + id + " is already " + st;
    }

    /** Decides a pending, unexpired approval; null otherwise (decided already, resolved, expired, or unknown). */
    public static ObjectNode decide(Connection c, String id, ApprovalBehavior behavior, String message,
                                    JsonNode updatedInput, JsonNode updatedPermissions, String decidedBy, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET status = ?, behavior = ?, message = ?, "
                + "updated_input = ?::jsonb, updated_permissions = ?::jsonb, decided_by = ?, decided_at = ? "
                + "WHERE id = ? AND status = 'pending' AND (expires_at IS NULL OR expires_at > ?) RETURNING *")) {
            ps.setString(1, behavior.outcome().wire());
            ps.setString(2, behavior.wire());
            ps.setString(3, message);
            ps.setString(4, Rows.jsonText(updatedInput));
            ps.setString(5, Rows.jsonText(updatedPermissions));
            ps.setString(6, decidedBy);
            Rows.setInstant(ps, 7, now);
            ps.setString(8, id);
            Rows.setInstant(ps, 9, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.toJson(rs) : null;
            }
        }
    }

    public static ObjectNode find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM approvals WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.toJson(rs) : null;
            }
        }
    }

    /** {@code status} null = all, "pending", or "decided" (anything no longer pending). */
    public static List<ObjectNode> list(Connection c, String status, int limit) throws SQLException {
        String where = status == null ? "" : "pending".equals(status) ? " WHERE status = 'pending'"
                : " WHERE status <> 'pending'";
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM approvals" + where
                + " ORDER BY created_at DESC, id LIMIT " + limit);
             ResultSet rs = ps.executeQuery()) {
            List<ObjectNode> out = new ArrayList<>();
            while (rs.next()) {
                out.add(Rows.toJson(rs));
            }
            return out;
        }
    }

    /** Decisions the host still needs: not yet delivered, or (after a reconnect) not yet resolved by the host. */
    public static List<Decision> undelivered(Connection c, String hostId, boolean afterReconnect) throws SQLException {
        String cond = afterReconnect ? "" : " AND delivered_at IS NULL";
        try (PreparedStatement ps = c.prepareStatement("SELECT id, behavior, message, updated_input, "
                + "updated_permissions FROM approvals WHERE host_id = ? AND decided_at IS NOT NULL "
                + "AND resolved_at IS NULL" + cond + " ORDER BY decided_at")) {
            ps.setString(1, hostId);
            List<Decision> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Decision(rs.getString(1), ApprovalBehavior.fromWire(rs.getString(2)),
                            rs.getString(3), Rows.json(rs, "updated_input"), Rows.json(rs, "updated_permissions")));
                }
            }
            return out;
        }
    }

    public static void markDelivered(Connection c, String id, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET delivered_at = ? WHERE id = ?")) {
            Rows.setInstant(ps, 1, now);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    /** Records the risk a new approval carries and the rule that matched it (null: none) — approval rules. */
    public static void classify(Connection c, String id, String risk, String ruleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET risk = ?, rule_id = ? WHERE id = ?")) {
            ps.setString(1, risk);
            ps.setString(2, ruleId);
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    private static Instant parseInstant(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
