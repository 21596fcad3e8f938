package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;

/** Small JDBC conversions shared by the repositories: instants, jsonb text and row-to-JSON. */
final class Rows {
    private Rows() {
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    static void setInstant(PreparedStatement ps, int i, Instant v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setTimestamp(i, Timestamp.from(v));
        }
    }

    /** JSON text for a {@code ?::jsonb} parameter; null stays SQL NULL. */
    static String jsonText(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.toString();
    }

    static JsonNode json(ResultSet rs, String col) throws SQLException {
        String s = rs.getString(col);
        if (s == null) {
            return null;
        }
        try {
            return Json.mapper().readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad jsonb in column " + col, e);
        }
    }

    static Boolean bool(ResultSet rs, String col) throws SQLException {
        boolean b = rs.getBoolean(col);
        return rs.wasNull() ? null : b;
    }

    /** The current row as a snake_case JSON object: jsonb columns as JSON, timestamps as ISO instants. */
    static ObjectNode toJson(ResultSet rs) throws SQLException {
        ObjectNode o = Json.mapper().createObjectNode();
        ResultSetMetaData md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String name = md.getColumnLabel(i);
            String type = md.getColumnTypeName(i);
            Object v = rs.getObject(i);
            if (v == null) {
                o.putNull(name);
            } else if ("jsonb".equals(type) || "json".equals(type)) {
                o.set(name, json(rs, name));
            } else if (v instanceof Timestamp t) {
                o.put(name, t.toInstant().toString());
            } else if (v instanceof Boolean b) {
                o.put(name, b);
            } else if (v instanceof Long l) {
                o.put(name, l);
            } else if (v instanceof Integer n) {
                o.put(name, n);
            } else {
                o.put(name, v.toString());
            }
        }
        return o;
    }
}
