package dev.agentcommander.schema;

import java.time.Instant;

/**
 * One watched unit of work: a tmux pane or a headless job. {@code sessionId} is stable for the life of the pane
 * (kept in the pane option {@code @ac_session_id}). {@code hostId} and {@code hostConnected} are the control
 * plane's to fill in: the host comes from the authenticated connection, and whether that host is connected right
 * now from its record in Postgres, so an agent sending either is ignored. {@code hostConnected} null means "not
 * said" (what an agent sends); the control plane always says it.
 */
public record Session(
        String sessionId,
        String hostId,
        SessionKind kind,
        Provider provider,
        SessionStatus status,
        boolean needsAttention,
        String name,
        Tmux tmux,
        String cwd,
        Git git,
        String title,
        Instant startedAt,
        Instant lastActivityAt,
        Boolean hostConnected) {

    /** A session as an agent reports it: no word on whether its host is connected. */
    public Session(String sessionId, String hostId, SessionKind kind, Provider provider, SessionStatus status,
                   boolean needsAttention, String name, Tmux tmux, String cwd, Git git, String title,
                   Instant startedAt, Instant lastActivityAt) {
        this(sessionId, hostId, kind, provider, status, needsAttention, name, tmux, cwd, git, title, startedAt,
                lastActivityAt, null);
    }

    /** Where the pane lives in tmux. */
    public record Tmux(String session, String window, String paneId) {
    }

    /** Git metadata of the session's cwd; null fields when the cwd is not in a repository. */
    public record Git(String repo, String branch, boolean dirty) {
    }

    /**
     * Same session as the control plane takes it from a host's live connection: {@code hostId} set from that
     * connection and {@code hostConnected} true (the frame just arrived on it), whatever the agent sent.
     */
    public Session withHostId(String id) {
        return new Session(sessionId, id, kind, provider, status, needsAttention, name, tmux, cwd, git, title,
                startedAt, lastActivityAt, Boolean.TRUE);
    }

    /** Same session with a new status and attention flag. */
    public Session withStatus(SessionStatus s, boolean attention) {
        return new Session(sessionId, hostId, kind, provider, s, attention, name, tmux, cwd, git, title,
                startedAt, lastActivityAt, hostConnected);
    }
}
