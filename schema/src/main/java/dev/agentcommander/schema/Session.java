package dev.agentcommander.schema;

import java.time.Instant;

/**
 * One watched unit of work: a tmux pane or a headless job. {@code sessionId} is stable for the life of the pane
 * (kept in the pane option {@code @ac_session_id}). {@code hostId} and {@code hostConnected} are the control
 * plane's to fill in: the host comes from the authenticated connection, and whether that host is connected right
 * now from its record in Postgres, so an agent sending either is ignored. {@code hostConnected} null means "not
 * said" (what an agent sends); the control plane always says it. {@code managed}: whether the pane was started
 * or adopted through Agent Commander (agentd's pane option {@code @ac_managed}), so a dashboard offers Adopt only
 * where it means something; null means "not said" (an agentd older than the field).
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
        Boolean hostConnected,
        String threadId,
        Usage usage,
        Boolean managed) {

    /** A session that does not say whether it is managed ({@code managed} null). */
    public Session(String sessionId, String hostId, SessionKind kind, Provider provider, SessionStatus status,
                   boolean needsAttention, String name, Tmux tmux, String cwd, Git git, String title,
                   Instant startedAt, Instant lastActivityAt, Boolean hostConnected, String threadId, Usage usage) {
        this(sessionId, hostId, kind, provider, status, needsAttention, name, tmux, cwd, git, title, startedAt,
                lastActivityAt, hostConnected, threadId, usage, null);
    }

    /** A session with no job fields (every pane): {@code threadId} and {@code usage} null. */
    public Session(String sessionId, String hostId, SessionKind kind, Provider provider, SessionStatus status,
                   boolean needsAttention, String name, Tmux tmux, String cwd, Git git, String title,
                   Instant startedAt, Instant lastActivityAt, Boolean hostConnected) {
        this(sessionId, hostId, kind, provider, status, needsAttention, name, tmux, cwd, git, title, startedAt,
                lastActivityAt, hostConnected, null, null, null);
    }

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

    /**
     * A Codex job's token use as its last {@code turn.completed} reported it: Codex sends the thread's cumulative
     * total, so a resumed thread's figure includes the turns before the resume. Null fields: not reported (Codex
     * 0.169.0 sends all five).
     */
    public record Usage(Long inputTokens, Long cachedInputTokens, Long cacheWriteInputTokens, Long outputTokens,
                        Long reasoningOutputTokens) {
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
                startedAt, lastActivityAt, Boolean.TRUE, threadId, usage, managed);
    }

    /**
     * The same session with every text cut to the wire's bounds and NULs removed, so that what a pane chose to
     * call itself (an OSC 2 title of a megabyte, a branch name with a NUL) can never get the whole upsert
     * refused: agentd sends {@code fitted()} sessions.
     */
    public Session fitted() {
        Tmux t = tmux == null ? null : new Tmux(fit(tmux.session(), Validation.MAX_NAME),
                fit(tmux.window(), Validation.MAX_NAME), tmux.paneId());
        Git g = git == null ? null : new Git(fit(git.repo(), Validation.MAX_PATH),
                fit(git.branch(), Validation.MAX_LABEL), git.dirty());
        return new Session(sessionId, hostId, kind, provider, status, needsAttention, fit(name, Validation.MAX_NAME),
                t, fit(cwd, Validation.MAX_PATH), g, fit(title, Validation.MAX_LABEL), startedAt, lastActivityAt,
                null, fit(threadId, Ids.MAX_LENGTH), usage, managed);
    }

    private static String fit(String v, int max) {
        if (v == null) {
            return null;
        }
        String clean = v.indexOf('\0') >= 0 ? v.replace("\0", "") : v;
        if (clean.length() <= max) {
            return clean;
        }
        int end = Character.isHighSurrogate(clean.charAt(max - 1)) ? max - 1 : max;
        return clean.substring(0, end);
    }

    /** Same session with a new status and attention flag. */
    public Session withStatus(SessionStatus s, boolean attention) {
        return new Session(sessionId, hostId, kind, provider, s, attention, name, tmux, cwd, git, title,
                startedAt, lastActivityAt, hostConnected, threadId, usage, managed);
    }

    /** Same session saying whether Agent Commander started or adopted it. */
    public Session withManaged(Boolean m) {
        return new Session(sessionId, hostId, kind, provider, status, needsAttention, name, tmux, cwd, git, title,
                startedAt, lastActivityAt, hostConnected, threadId, usage, m);
    }
}
