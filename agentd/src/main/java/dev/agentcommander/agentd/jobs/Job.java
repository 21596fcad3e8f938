package dev.agentcommander.agentd.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionKind;
import dev.agentcommander.schema.SessionStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One job's mutable side, used under {@link JobRunner}'s lock: its state (flushed to {@code state.json} at most
 * every {@link #FLUSH_EVERY}), its stdout reader, and the wrapper process while agentd is its parent.
 */
final class Job {
    static final Duration FLUSH_EVERY = Duration.ofMillis(250);

    final JobFiles files;
    JobState state;
    Process own;
    Instant killAt;
    boolean killed;
    /** An {@code approvals: "ask"} job's app-server while it runs; its "waiting on an approval" flag. */
    AppServerJob appServer;
    boolean waiting;
    private LineReader reader;
    private boolean dirty;
    private Instant flushedAt = Instant.EPOCH;

    Job(JobFiles files, JobState state) {
        this.files = files;
        this.state = state;
    }

    String id() {
        return state.sessionId();
    }

    void write(SentEvents sent) {
        state = withSeq(state, sent.lastSeq());
        files.write(state);
        dirty = false;
    }

    /** Writes the state if lines were forwarded since the last write and {@link #FLUSH_EVERY} has passed. */
    void flushIfDue(SentEvents sent, Instant now) {
        if (dirty && Duration.between(flushedAt, now).compareTo(FLUSH_EVERY) >= 0) {
            write(sent);
            flushedAt = now;
        }
    }

    /**
     * Reads up to {@code max} whole lines and hands each to {@code emit} (null: skip it, already sent), folding
     * what it says into the state. {@code atEnd}: the job is gone, a last line without newline counts.
     *
     * @return how many lines were read; -1 when the session record changed (thread id, usage) too
     */
    int pump(int max, boolean atEnd, Consumer<CodexLine> emit, Instant now) {
        try {
            if (reader == null) {
                if (!Files.exists(files.stdout())) {
                    return 0;
                }
                reader = new LineReader(files.stdout(), state.offset());
            }
            int n = 0;
            boolean changed = false;
            LineReader.Line l;
            while (n < max && (l = reader.next(atEnd)) != null) {
                CodexLine line = CodexLine.of(l.text(), l.bytes(), l.cut());
                if (emit != null) {
                    emit.accept(line);
                }
                String thread = line.threadId() != null ? line.threadId() : state.threadId();
                Session.Usage usage = line.usage() != null ? line.usage() : state.usage();
                changed |= !java.util.Objects.equals(thread, state.threadId())
                        || !java.util.Objects.equals(usage, state.usage());
                state = state.forwarded(l.end(), state.lines() + 1, state.seq(), thread, usage,
                        state.turnFailed() || line.turnFailed(), now);
                dirty = true;
                n++;
            }
            return changed ? -1 : n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + files.stdout(), e);
        }
    }

    void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // read-only
            }
            reader = null;
        }
    }

    boolean wrapperAlive() {
        Long pid = state.pid();
        return pid != null && JobProcess.alive(pid, state.pidStartMillis(), own);
    }

    SessionStatus status() {
        return switch (state.phase()) {
            case QUEUED -> SessionStatus.WAITING;
            case RUNNING -> waiting ? SessionStatus.WAITING : SessionStatus.RUNNING;
            case FINISHED -> SessionStatus.valueOf(state.finalStatus());
        };
    }

    Session session() {
        Instant started = state.startedAt() != null ? state.startedAt() : state.queuedAt();
        return new Session(state.sessionId(), null, SessionKind.JOB, Provider.CODEX, status(),
                waiting && state.phase() == JobState.Phase.RUNNING,
                state.name() != null ? state.name() : "codex job", null, state.cwd(), null, state.title(), started,
                state.lastActivityAt(), null, state.threadId(), state.usage()).withManaged(true).fitted(); // we started it
    }

    /** {@code job.started}: the wrapper's pid (its process group) and the command line (the prompt is stdin). */
    ObjectNode startedData(java.util.List<String> argv) {
        ObjectNode d = Json.mapper().createObjectNode();
        d.put("pid", state.pid());
        d.set("argv", Json.mapper().valueToTree(argv));
        d.put("queued_ms", Duration.between(state.queuedAt(), state.startedAt()).toMillis());
        return d;
    }

    private static JobState withSeq(JobState s, long seq) {
        return new JobState(s.sessionId(), s.commandId(), s.cwd(), s.name(), s.title(), s.sandbox(), s.model(),
                s.resumeThreadId(), s.queuedAt(), s.phase(), s.pid(), s.pidStartMillis(), s.startedAt(),
                s.startedSent(), s.offset(), s.lines(), seq, s.threadId(), s.usage(), s.turnFailed(),
                s.lastActivityAt(), s.cancelRequested(), s.finalStatus(), s.ask());
    }
}
