package dev.agentcommander.agentd.jobs;

import dev.agentcommander.schema.Session;
import java.time.Instant;

/**
 * Everything agentd knows about one job, in one file ({@code state.json} in the job's directory) replaced
 * atomically, so a restarted agentd picks the job up where the file says: queued, running (its pid, how far its
 * stdout was forwarded and the outbox seq at that point) or finished. The prompt is not here: it is the job's
 * stdin, in the file {@code prompt} beside it. {@code ask}: an {@code approvals: "ask"} job, which runs
 * {@code codex app-server} on agentd's own pipes and so cannot outlive agentd.
 */
record JobState(
        String sessionId,
        String commandId,
        String cwd,
        String name,
        String title,
        String sandbox,
        String model,
        String resumeThreadId,
        Instant queuedAt,
        Phase phase,
        Long pid,
        Long pidStartMillis,
        Instant startedAt,
        boolean startedSent,
        long offset,
        long lines,
        long seq,
        String threadId,
        Session.Usage usage,
        boolean turnFailed,
        Instant lastActivityAt,
        boolean cancelRequested,
        String finalStatus,
        boolean ask) {

    enum Phase { QUEUED, RUNNING, FINISHED }

    static JobState queued(String sessionId, String commandId, String cwd, String name, String title,
                           String sandbox, String model, String resumeThreadId, Instant now, long seq) {
        return new JobState(sessionId, commandId, cwd, name, title, sandbox, model, resumeThreadId, now, Phase.QUEUED,
                null, null, null, false, 0, 0, seq, null, null, false, now, false, null, false);
    }

    /** The same job run through {@code codex app-server} ({@code approvals: "ask"}): attached to agentd. */
    JobState asking() {
        return new JobState(sessionId, commandId, cwd, name, title, sandbox, model, resumeThreadId, queuedAt, phase,
                pid, pidStartMillis, startedAt, startedSent, offset, lines, seq, threadId, usage, turnFailed,
                lastActivityAt, cancelRequested, finalStatus, true);
    }

    JobState running(long pid, Long pidStart, Instant at) {
        return new JobState(sessionId, commandId, cwd, name, title, sandbox, model, resumeThreadId, queuedAt,
                Phase.RUNNING, pid, pidStart, at, startedSent, offset, lines, seq, threadId, usage, turnFailed, at,
                cancelRequested, finalStatus, ask);
    }

    JobState withStartedSent(long atSeq) {
        return new JobState(sessionId, commandId, cwd, name, title, sandbox, model, resumeThreadId, queuedAt, phase,
                pid, pidStartMillis, startedAt, true, offset, lines, atSeq, threadId, usage, turnFailed,
                lastActivityAt, cancelRequested, finalStatus, ask);
    }

    /** After forwarding lines up to byte {@code newOffset} (the last of them sent with {@code atSeq}). */
    JobState forwarded(long newOffset, long newLines, long atSeq, String thread, Session.Usage u, boolean failed,
                       Instant at) {
        return new JobState(sessionId, commandId, cwd, name, title, sandbox, model, resumeThreadId, queuedAt, phase,
                pid, pidStartMillis, startedAt, startedSent, newOffset, newLines, atSeq, thread, u, failed, at,
                cancelRequested, finalStatus, ask);
    }

    JobState cancelling() {
        return new JobState(sessionId, commandId, cwd, name, title, sandbox, model, resumeThreadId, queuedAt, phase,
                pid, pidStartMillis, startedAt, startedSent, offset, lines, seq, threadId, usage, turnFailed,
                lastActivityAt, true, finalStatus, ask);
    }

    JobState finished(String status, long atSeq, Instant at) {
        return new JobState(sessionId, commandId, cwd, name, title, sandbox, model, resumeThreadId, queuedAt,
                Phase.FINISHED, pid, pidStartMillis, startedAt, startedSent, offset, lines, atSeq, threadId, usage,
                turnFailed, at, cancelRequested, status, ask);
    }
}
