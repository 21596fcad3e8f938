package dev.agentcommander.schema;

import java.time.Instant;

/**
 * One watched unit of work: a tmux pane or a headless job. {@code sessionId} is stable for the life of the pane
 * (kept in the pane option {@code @ac_session_id}); {@code hostId} is filled in by the control plane from the
 * authenticated connection and ignored when an agent sends it.
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
        Instant lastActivityAt) {

    /** Where the pane lives in tmux. */
    public record Tmux(String session, String window, String paneId) {
    }

    /** Git metadata of the session's cwd; null fields when the cwd is not in a repository. */
    public record Git(String repo, String branch, boolean dirty) {
    }

    /** Same session as seen from the control plane: hostId set from the connection. */
    public Session withHostId(String id) {
        return new Session(sessionId, id, kind, provider, status, needsAttention, name, tmux, cwd, git, title,
                startedAt, lastActivityAt);
    }

    /** Same session with a new status and attention flag. */
    public Session withStatus(SessionStatus s, boolean attention) {
        return new Session(sessionId, hostId, kind, provider, s, attention, name, tmux, cwd, git, title,
                startedAt, lastActivityAt);
    }
}
