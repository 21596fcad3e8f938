package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code events} table: the ordered history of a session, written in JDBC batches, idempotent on (host, seq). */
public final class EventRows {
    private EventRows() {
    }

    /** One event to insert. */
    public record NewEvent(String hostId, long seq, String sessionId, String type, Instant ts, JsonNode payload) {
        /** The JSON a UI subscriber receives. */
        public ObjectNode toJson() {
            ObjectNode o = Json.mapper().createObjectNode();
            o.put("host_id", hostId);
            o.put("seq", seq);
            o.put("session_id", sessionId);
            o.put("type", type);
            o.put("ts", ts.toString());
            o.set("payload", payload == null ? o.objectNode() : payload);
            return o;
        }
    }

    public static void insertBatch(Connection c, List<NewEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (host_id, seq, session_id, type, ts, "
                + "payload) VALUES (?, ?, ?, ?, ?, COALESCE(?::jsonb, '{}'::jsonb)) ON CONFLICT (host_id, seq) DO NOTHING")) {
            for (NewEvent e : events) {
                ps.setString(1, e.hostId());
                ps.setLong(2, e.seq());
                ps.setString(3, e.sessionId());
                ps.setString(4, e.type());
                Rows.setInstant(ps, 5, e.ts());
                ps.setString(6, Rows.jsonText(e.payload()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Events of a session with id greater than {@code after}, oldest first: only those of the host the session id
     * belongs to ({@link SessionRows#owner}), so another host's events under the same id (written before ingest
     * refused them) never show up in its history.
     */
    public static List<ObjectNode> list(Connection c, String sessionId, long after, int limit) throws SQLException {
        return select(c, sessionId, after, limit, false);
    }

    /** The newest {@code limit} events of a session (same owner rule as {@link #list}), still oldest first. */
    public static List<ObjectNode> latest(Connection c, String sessionId, int limit) throws SQLException {
        return select(c, sessionId, 0, limit, true).reversed();
    }

    private static List<ObjectNode> select(Connection c, String sessionId, long after, int limit, boolean newest)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, host_id, seq, session_id, type, ts, payload "
                + "FROM events WHERE session_id = ? AND id > ? AND host_id = " + SessionRows.OWNER
                + " ORDER BY id" + (newest ? " DESC" : "") + " LIMIT ?")) {
            ps.setString(1, sessionId);
            ps.setLong(2, after);
            ps.setString(3, sessionId);
            ps.setString(4, sessionId);
            ps.setInt(5, limit);
            List<ObjectNode> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Rows.toJson(rs));
                }
            }
            return out;
        }
    }

    /**
     * The event stored for {@code (hostId, seq)} as a UI subscriber receives it ({@link NewEvent#toJson()}), or null:
     * what another replica reads when told an event was appended.
     */
    public static ObjectNode findBySeq(Connection c, String hostId, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT host_id, seq, session_id, type, ts, payload "
                + "FROM events WHERE host_id = ? AND seq = ?")) {
            ps.setString(1, hostId);
            ps.setLong(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? fromRow(rs).toJson() : null;
            }
        }
    }

    /**
     * Events of a session's owning host with seq above {@code afterSeq}, by seq, as UI subscribers receive them
     * (a subscriber that may have missed some catches up from the last seq it was sent).
     */
    public static List<ObjectNode> afterSeq(Connection c, String sessionId, long afterSeq, int limit)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT host_id, seq, session_id, type, ts, payload "
                + "FROM events WHERE session_id = ? AND seq > ? AND host_id = " + SessionRows.OWNER
                + " ORDER BY seq LIMIT ?")) {
            ps.setString(1, sessionId);
            ps.setLong(2, afterSeq);
            ps.setString(3, sessionId);
            ps.setString(4, sessionId);
            ps.setInt(5, limit);
            List<ObjectNode> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(fromRow(rs).toJson());
                }
            }
            return out;
        }
    }

    /** The highest seq stored for the session's owning host under {@code sessionId}, or 0. */
    public static long maxSeq(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(max(seq), 0) FROM events "
                + "WHERE session_id = ? AND host_id = " + SessionRows.OWNER)) {
            ps.setString(1, sessionId);
            ps.setString(2, sessionId);
            ps.setString(3, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static NewEvent fromRow(ResultSet rs) throws SQLException {
        return new NewEvent(rs.getString("host_id"), rs.getLong("seq"), rs.getString("session_id"),
                rs.getString("type"), Rows.instant(rs, "ts"), Rows.json(rs, "payload"));
    }
}
