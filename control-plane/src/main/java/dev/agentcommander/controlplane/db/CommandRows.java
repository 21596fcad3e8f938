package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

/** The {@code commands} table: queued → sent → completed | failed, resent after reconnect until a result. */
public final class CommandRows {
    private CommandRows() {
    }

    /** A command ready to go on the wire. */
    public record Pending(String id, String name, JsonNode args) {
    }

    /** What {@code commands.result} completed, for the {@code command.completed} event. */
    public record Completed(String id, String name, String sessionId) {
    }

    public static String newId() {
        return "c_" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Ids for the rows one transaction inserts, sorting in the order asked for: the rows share {@code created_at},
     * and delivery orders by {@code created_at, id}. {@code ids.apply(i)} is the {@code i}-th (i &lt; 65 536).
     */
    public static IntFunction<String> orderedIds() {
        String base = String.format("c_%012x", System.currentTimeMillis());
        String tail = newId().substring(2, 18);
        return i -> base + String.format("%04x", i) + tail;
    }

    public static ObjectNode insert(Connection c, String id, String hostId, String sessionId, String name,
                                    JsonNode args, String createdBy) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO commands (id, host_id, session_id, name, args, "
                + "created_by) VALUES (?, ?, ?, ?, ?::jsonb, ?) RETURNING *")) {
            ps.setString(1, id);
            ps.setString(2, hostId);
            ps.setString(3, sessionId);
            ps.setString(4, name);
            ps.setString(5, args.toString());
            ps.setString(6, createdBy);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return view(Rows.toJson(rs));
            }
        }
    }

    public static ObjectNode find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM commands WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? view(Rows.toJson(rs)) : null;
            }
        }
    }

    /** Commands to send in creation order: queued ones, plus already-sent ones after a reconnect. */
    public static List<Pending> pending(Connection c, String hostId, boolean includeSent) throws SQLException {
        String statuses = includeSent ? "('queued','sent')" : "('queued')";
        try (PreparedStatement ps = c.prepareStatement("SELECT id, name, args FROM commands WHERE host_id = ? "
                + "AND status IN " + statuses + " ORDER BY created_at, id")) {
            ps.setString(1, hostId);
            List<Pending> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pending(rs.getString(1), rs.getString(2), Rows.json(rs, "args")));
                }
            }
            return out;
        }
    }

    public static void markSent(Connection c, String id, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE commands SET status = 'sent', sent_at = ? WHERE id = ? AND status IN ('queued','sent')")) {
            Rows.setInstant(ps, 1, now);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    /** Records a result once; null when unknown, from another host, or already completed. */
    public static Completed complete(Connection c, String hostId, String id, boolean ok, String error,
                                     JsonNode data, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE commands SET status = ?, ok = ?, error = ?, "
                + "result = ?::jsonb, completed_at = ? WHERE id = ? AND host_id = ? AND status IN ('queued','sent') "
                + "RETURNING name, session_id")) {
            ps.setString(1, ok ? "completed" : "failed");
            ps.setBoolean(2, ok);
            ps.setString(3, error);
            ps.setString(4, Rows.jsonText(data));
            Rows.setInstant(ps, 5, now);
            ps.setString(6, id);
            ps.setString(7, hostId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Completed(id, rs.getString(1), rs.getString(2)) : null;
            }
        }
    }

    /** REST shape: {@code command_id} instead of {@code id}. */
    private static ObjectNode view(ObjectNode row) {
        ObjectNode o = row.objectNode();
        o.set("command_id", row.get("id"));
        row.remove("id");
        o.setAll(row);
        return o;
    }
}
