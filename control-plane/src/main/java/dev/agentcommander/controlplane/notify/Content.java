package dev.agentcommander.controlplane.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.rules.MainInput;
import dev.agentcommander.schema.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * What one notification says, read from Postgres when it is sent (so a cleared one names who decided): which
 * host, which session, which tool with its readable input, and a link to the approval. Null when there is nothing
 * to say any more: an approval answered before its delay ran out, a session no longer waiting, a host back online.
 */
final class Content {
    /** How much of a tool's input a phone notification quotes; the webhook body carries up to {@link #BODY_INPUT}. */
    static final int TEXT_INPUT = 300;
    static final int BODY_INPUT = 4000;

    /** A rendered notification: the webhook body, a title and text for people, the link, the ntfy sequence id. */
    record Message(ObjectNode body, String title, String text, String url, String sequenceId, boolean withdraw) {
    }

    private Content() {
    }

    static Message render(Connection c, NotificationRows.Claimed n, String baseUrl, Instant now) throws SQLException {
        return switch (n.kind()) {
            case APPROVAL_PENDING, APPROVAL_CLEARED -> approval(c, n, baseUrl, now);
            case SESSION_WAITING -> session(c, n, baseUrl, now);
            case HOST_OFFLINE -> host(c, n, baseUrl, now);
            case JOB_FINISHED -> job(c, n, baseUrl, now);
        };
    }

    private static ObjectNode envelope(NotificationRows.Claimed n, Instant now) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", n.id());
        o.put("kind", n.kind().wire());
        o.put("ts", now.toString());
        return o;
    }

    private static Message approval(Connection c, NotificationRows.Claimed n, String base, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.*, h.name AS host_name, s.name AS session_name "
                + "FROM approvals a JOIN hosts h ON h.id = a.host_id LEFT JOIN sessions s ON s.id = a.session_id "
                + "WHERE a.id = ?")) {
            ps.setString(1, n.subject());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null; // its host was deleted
                }
                String status = rs.getString("status");
                Timestamp expires = rs.getTimestamp("expires_at");
                boolean pending = "pending".equals(status) && (expires == null || expires.toInstant().isAfter(now));
                boolean cleared = n.kind() == Kind.APPROVAL_CLEARED;
                if (!cleared && !pending) {
                    return null; // answered within the delay: nobody is told
                }
                String tool = rs.getString("tool_name");
                JsonNode input = Json.mapper().readTree(rs.getString("tool_input"));
                String readable = MainInput.of(tool, input);
                String host = rs.getString("host_name");
                String session = name(rs.getString("session_name"), rs.getString("session_id"));
                String url = base + "/approvals/" + n.subject();
                String outcome = !"pending".equals(status) ? status : "expired";
                String by = rs.getString("decided_by");
                ObjectNode a = Json.mapper().createObjectNode();
                a.put("id", n.subject());
                a.put("host_id", rs.getString("host_id"));
                a.put("host_name", host);
                a.put("session_id", rs.getString("session_id"));
                a.put("session_name", session);
                a.put("tool_name", tool);
                a.put("input", clip(readable, BODY_INPUT));
                a.put("risk", rs.getString("risk"));
                a.put("cwd", rs.getString("cwd"));
                a.put("status", cleared ? outcome : "pending");
                a.put("decided_by", by);
                a.put("created_at", rs.getTimestamp("created_at").toInstant().toString());
                a.put("expires_at", expires == null ? null : expires.toInstant().toString());
                ObjectNode body = envelope(n, now);
                body.set("approval", a);
                body.put("url", url);
                String what = tool + " on " + host + " · " + session;
                if (cleared) {
                    String how = by != null ? outcome + " by " + by : outcome;
                    return new Message(body, "Approval " + how + ": " + tool + " on " + host,
                            what + "\n" + clip(oneLine(readable), TEXT_INPUT), url, n.subject(), true);
                }
                String risk = rs.getString("risk");
                return new Message(body, "Approval needed" + (risk == null ? "" : " (" + risk + " risk)") + ": "
                        + tool + " on " + host, what + "\n" + clip(oneLine(readable), TEXT_INPUT), url, n.subject(),
                        false);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("approval " + n.subject() + ": bad tool_input", e);
            }
        }
    }

    private static Message session(Connection c, NotificationRows.Claimed n, String base, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT s.*, h.name AS host_name FROM sessions s "
                + "JOIN hosts h ON h.id = s.host_id WHERE s.id = ? AND s.status = 'WAITING'")) {
            ps.setString(1, n.subject());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null; // no longer waiting
                }
                String host = rs.getString("host_name");
                String name = name(rs.getString("name"), n.subject());
                String url = base + "/sessions/" + n.subject();
                ObjectNode s = Json.mapper().createObjectNode();
                s.put("id", n.subject());
                s.put("host_id", rs.getString("host_id"));
                s.put("host_name", host);
                s.put("name", name);
                s.put("provider", rs.getString("provider"));
                s.put("status", rs.getString("status"));
                s.put("cwd", rs.getString("cwd"));
                s.put("title", rs.getString("title"));
                ObjectNode body = envelope(n, now);
                body.set("session", s);
                body.put("url", url);
                return new Message(body, "Session waiting: " + name + " on " + host,
                        name + " (" + rs.getString("provider") + ") on " + host + " is waiting for input"
                                + (rs.getString("cwd") == null ? "" : " in " + rs.getString("cwd")), url, null, false);
            }
        }
    }

    private static Message host(Connection c, NotificationRows.Claimed n, String base, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT h.id, h.name, h.last_seen_at, h.agent_version "
                + "FROM hosts h WHERE h.id = ? AND NOT " + HostRows.connected("h"))) {
            ps.setString(1, n.subject());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null; // back online (or deleted)
                }
                Timestamp seen = rs.getTimestamp("last_seen_at");
                ObjectNode h = Json.mapper().createObjectNode();
                h.put("id", rs.getString("id"));
                h.put("name", rs.getString("name"));
                h.put("last_seen_at", seen == null ? null : seen.toInstant().toString());
                h.put("agent_version", rs.getString("agent_version"));
                ObjectNode body = envelope(n, now);
                body.set("host", h);
                body.put("url", base + "/");
                return new Message(body, "Host offline: " + rs.getString("name"), rs.getString("name")
                        + " has had no link since " + (seen == null ? "?" : seen.toInstant()), base + "/", null, false);
            }
        }
    }

    private static Message job(Connection c, NotificationRows.Claimed n, String base, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT e.session_id, e.payload, e.host_id, h.name AS host_name, "
                + "s.name AS session_name, s.status FROM events e JOIN hosts h ON h.id = e.host_id "
                + "LEFT JOIN sessions s ON s.id = e.session_id WHERE e.id = ?")) {
            ps.setLong(1, Long.parseLong(n.subject()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                JsonNode p = Json.mapper().readTree(rs.getString("payload"));
                String sid = rs.getString("session_id");
                String name = name(rs.getString("session_name"), sid);
                String host = rs.getString("host_name");
                String url = base + "/sessions/" + sid;
                ObjectNode j = Json.mapper().createObjectNode();
                j.put("session_id", sid);
                j.put("host_id", rs.getString("host_id"));
                j.put("host_name", host);
                j.put("name", name);
                j.put("status", rs.getString("status"));
                j.set("exit_code", p.get("exit_code"));
                j.set("cancelled", p.get("cancelled"));
                j.set("duration_ms", p.get("duration_ms"));
                ObjectNode body = envelope(n, now);
                body.set("job", j);
                body.put("url", url);
                String exit = p.path("cancelled").asBoolean(false) ? "cancelled"
                        : "exit " + p.path("exit_code").asText("?");
                return new Message(body, "Job finished: " + name + " on " + host, name + " on " + host + ": " + exit,
                        url, null, false);
            } catch (com.fasterxml.jackson.core.JsonProcessingException | NumberFormatException e) {
                return null;
            }
        }
    }

    private static String name(String name, String id) {
        return name == null || name.isBlank() ? (id == null ? "(no session)" : id) : name;
    }

    /** Control characters out, so a message shows as text (a pane title or command may carry escapes). */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
        return b.toString();
    }

    static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
