package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Who did what: written in the same transaction as the change it records, so neither exists without the other. */
public final class Audit {
    private Audit() {
    }

    /** Newest first, ids below {@code beforeId}. */
    public static List<ObjectNode> list(Connection c, long beforeId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?")) {
            ps.setLong(1, beforeId);
            ps.setInt(2, limit);
            List<ObjectNode> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Rows.toJson(rs));
                }
            }
            return out;
        }
    }

    public static void write(Connection c, String actor, String role, String action, String target, JsonNode detail)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_log (actor, role, action, target, detail) VALUES (?, ?, ?, ?, ?::jsonb)")) {
            ps.setString(1, actor);
            ps.setString(2, role);
            ps.setString(3, action);
            ps.setString(4, target);
            ps.setString(5, detail == null ? "{}" : detail.toString());
            ps.executeUpdate();
        }
    }
}
