package dev.agentcommander.controlplane.db;

import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionFilter;
import dev.agentcommander.schema.SessionKind;
import dev.agentcommander.schema.SessionStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code sessions} table: upserts from ingest (never across hosts) and the filtered reads of the dashboard.
 * Every read joins the session's host, so a session says whether its host is connected ({@code host_connected}).
 */
public final class SessionRows {
    private static final String SELECT = "SELECT s.*, " + HostRows.connected("h") + " AS host_connected "
            + "FROM sessions s JOIN hosts h ON h.id = s.host_id";

    private SessionRows() {
    }

    /**
     * The host that owns a session id's history once its row is gone: the host of its first event. Ingest refuses
     * another host's events for a live session, so the first event's host is the id's owner (an index probe on
     * {@code events (session_id, id)}, whatever the history's length).
     */
    private static final String HISTORY_OWNER =
            "(SELECT e.host_id FROM events e WHERE e.session_id = ? ORDER BY e.id LIMIT 1)";

    /** The host a session id belongs to (its live row's, else its history's), as SQL with two parameters (the id). */
    static final String OWNER = "COALESCE((SELECT o.host_id FROM sessions o WHERE o.id = ?), " + HISTORY_OWNER + ")";

    /**
     * Inserts or updates; false when the id belongs to another host (the row is left alone): its live row, or,
     * for an id whose row was removed, the history it left (a removed id cannot be claimed with its events).
     */
    public static boolean upsert(Connection c, Session s, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO sessions (id, host_id, kind, provider, status, needs_attention, name, tmux_session,
                  tmux_window, tmux_pane_id, cwd, git_repo, git_branch, git_dirty, title, started_at,
                  last_activity_at, updated_seq, updated_at, thread_id, usage, managed)
                SELECT ?,?,?,?,?,?::boolean,?,?,?,?,?,?,?,?::boolean,?,?::timestamptz,?::timestamptz,?::bigint, now(),
                  ?, ?::jsonb, ?::boolean
                WHERE COALESCE(%s <> ?, false) = false
                ON CONFLICT (id) DO UPDATE SET kind=EXCLUDED.kind, provider=EXCLUDED.provider,
                  status=EXCLUDED.status, needs_attention=EXCLUDED.needs_attention, name=EXCLUDED.name,
                  tmux_session=EXCLUDED.tmux_session, tmux_window=EXCLUDED.tmux_window,
                  tmux_pane_id=EXCLUDED.tmux_pane_id, cwd=EXCLUDED.cwd, git_repo=EXCLUDED.git_repo,
                  git_branch=EXCLUDED.git_branch, git_dirty=EXCLUDED.git_dirty, title=EXCLUDED.title,
                  started_at=EXCLUDED.started_at, last_activity_at=EXCLUDED.last_activity_at,
                  updated_seq=EXCLUDED.updated_seq, updated_at=now(), thread_id=EXCLUDED.thread_id,
                  usage=EXCLUDED.usage, managed=EXCLUDED.managed
                WHERE sessions.host_id = EXCLUDED.host_id""".formatted(HISTORY_OWNER))) {
            ps.setString(1, s.sessionId());
            ps.setString(2, s.hostId());
            ps.setString(3, (s.kind() == null ? SessionKind.PANE : s.kind()).wire());
            ps.setString(4, (s.provider() == null ? Provider.OTHER : s.provider()).wire());
            ps.setString(5, (s.status() == null ? SessionStatus.IDLE : s.status()).name());
            ps.setBoolean(6, s.needsAttention());
            ps.setString(7, s.name());
            ps.setString(8, s.tmux() == null ? null : s.tmux().session());
            ps.setString(9, s.tmux() == null ? null : s.tmux().window());
            ps.setString(10, s.tmux() == null ? null : s.tmux().paneId());
            ps.setString(11, s.cwd());
            ps.setString(12, s.git() == null ? null : s.git().repo());
            ps.setString(13, s.git() == null ? null : s.git().branch());
            if (s.git() == null) {
                ps.setNull(14, Types.BOOLEAN);
            } else {
                ps.setBoolean(14, s.git().dirty());
            }
            ps.setString(15, s.title());
            Rows.setInstant(ps, 16, s.startedAt());
            Rows.setInstant(ps, 17, s.lastActivityAt());
            ps.setLong(18, seq);
            ps.setString(19, s.threadId());
            ps.setString(20, s.usage() == null ? null : Json.mapper().valueToTree(s.usage()).toString());
            if (s.managed() == null) {
                ps.setNull(21, Types.BOOLEAN);
            } else {
                ps.setBoolean(21, s.managed());
            }
            ps.setString(22, s.sessionId());
            ps.setString(23, s.hostId());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * The host a session id belongs to: its live row's host, else (the row was removed) the host of its history;
     * null for an id never seen.
     */
    public static String owner(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + OWNER)) {
            ps.setString(1, sessionId);
            ps.setString(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Whether {@code sessionId} belongs to a host other than {@code hostId} (see {@link #owner}; false for null). */
    public static boolean claimedByAnotherHost(Connection c, String hostId, String sessionId) throws SQLException {
        if (sessionId == null) {
            return false;
        }
        String owner = owner(c, sessionId);
        return owner != null && !owner.equals(hostId);
    }

    public static boolean delete(Connection c, String hostId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE id = ? AND host_id = ?")) {
            ps.setString(1, sessionId);
            ps.setString(2, hostId);
            return ps.executeUpdate() == 1;
        }
    }

    public static Session find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE s.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? map(rs) : null;
            }
        }
    }

    /** Every session of {@code hostId}, ordered by id. */
    public static List<Session> ofHost(Connection c, String hostId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE s.host_id = ? ORDER BY s.id")) {
            ps.setString(1, hostId);
            return all(ps);
        }
    }

    /** Sessions matching {@code f} ordered by id, after {@code cursor} (exclusive), at most {@code limit}. */
    public static List<Session> list(Connection c, SessionFilter f, String cursor, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE true");
        List<Object> args = new ArrayList<>();
        if (f.hostId() != null) {
            sql.append(" AND s.host_id = ?");
            args.add(f.hostId());
        }
        if (f.sessionId() != null) {
            sql.append(" AND s.id = ?");
            args.add(f.sessionId());
        }
        if (f.kind() != null) {
            sql.append(" AND s.kind = ?");
            args.add(f.kind().wire());
        }
        if (f.status() != null) {
            sql.append(" AND s.status = ?");
            args.add(f.status().name());
        }
        if (f.provider() != null) {
            sql.append(" AND s.provider = ?");
            args.add(f.provider().wire());
        }
        if (f.needsAttention() != null) {
            sql.append(" AND s.needs_attention = ?");
            args.add(f.needsAttention());
        }
        if (f.q() != null && !f.q().isEmpty()) {
            String like = "%" + f.q().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            sql.append(" AND (s.name ILIKE ? OR s.cwd ILIKE ? OR s.git_branch ILIKE ? OR s.title ILIKE ?)");
            for (int i = 0; i < 4; i++) {
                args.add(like);
            }
        }
        if (cursor != null) {
            sql.append(" AND s.id > ?");
            args.add(cursor);
        }
        sql.append(" ORDER BY s.id LIMIT ").append(limit);
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            return all(ps);
        }
    }

    private static List<Session> all(PreparedStatement ps) throws SQLException {
        List<Session> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(map(rs));
            }
        }
        return out;
    }

    static Session map(ResultSet rs) throws SQLException {
        Session.Tmux tmux = rs.getString("tmux_session") == null && rs.getString("tmux_pane_id") == null ? null
                : new Session.Tmux(rs.getString("tmux_session"), rs.getString("tmux_window"),
                rs.getString("tmux_pane_id"));
        Boolean dirty = Rows.bool(rs, "git_dirty");
        Session.Git git = rs.getString("git_repo") == null && rs.getString("git_branch") == null ? null
                : new Session.Git(rs.getString("git_repo"), rs.getString("git_branch"), dirty != null && dirty);
        SessionStatus status = SessionStatus.fromWire(rs.getString("status"));
        Provider provider = Provider.fromWire(rs.getString("provider"));
        return new Session(rs.getString("id"), rs.getString("host_id"),
                "job".equals(rs.getString("kind")) ? SessionKind.JOB : SessionKind.PANE,
                provider == null ? Provider.OTHER : provider, status == null ? SessionStatus.IDLE : status,
                rs.getBoolean("needs_attention"), rs.getString("name"), tmux, rs.getString("cwd"), git,
                rs.getString("title"), Rows.instant(rs, "started_at"), Rows.instant(rs, "last_activity_at"),
                rs.getBoolean("host_connected"), rs.getString("thread_id"), usage(Rows.json(rs, "usage")),
                Rows.bool(rs, "managed"));
    }

    private static Session.Usage usage(com.fasterxml.jackson.databind.JsonNode n) {
        return n == null || !n.isObject() ? null : Json.mapper().convertValue(n, Session.Usage.class);
    }
}
