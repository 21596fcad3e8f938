package dev.agentcommander.agentd.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.SessionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;

/**
 * How a job ended, as {@code job.exited} says it. The wrapper's {@code $?} is the exit code, or 128 + the signal
 * that killed Codex. Status: EXITED when cancelled; DONE for exit 0 without {@code turn.failed}; ERROR otherwise
 * (a failed turn, a non-zero exit, a job that could not start, or one whose process vanished without an exit
 * status).
 */
record JobExit(SessionStatus status, ObjectNode data) {
    private static final String[] SIGNALS = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM"};

    static JobExit of(Job j, boolean cancelledBeforeStart, String startError, Instant now) {
        JobState s = j.state;
        Integer rc = cancelledBeforeStart || startError != null && !s.ask() ? null : j.files.exitStatus();
        Integer exitCode = null;
        String signal = null;
        String error = startError;
        if (rc != null && rc > 128 && rc <= 128 + 64) {
            int n = rc - 128;
            signal = n < SIGNALS.length ? SIGNALS[n] : "SIG" + n;
        } else if (rc != null) {
            exitCode = rc;
            if (rc == 127) {
                error = "could not start the codex program (exit 127: not found)";
            }
        } else if (j.killed) {
            signal = "KILL";
        } else if (!cancelledBeforeStart && startError == null && !s.cancelRequested()) {
            error = "the job's process ended without recording an exit status (killed, or gone while agentd was "
                    + "down)";
        }
        SessionStatus status;
        if (s.cancelRequested()) {
            status = SessionStatus.EXITED;
        } else if (exitCode != null && exitCode == 0 && !s.turnFailed()) {
            status = SessionStatus.DONE;
        } else {
            status = SessionStatus.ERROR;
        }
        ObjectNode d = Json.mapper().createObjectNode();
        if (exitCode == null) {
            d.putNull("exit_code");
        } else {
            d.put("exit_code", exitCode);
        }
        if (signal == null) {
            d.putNull("signal");
        } else {
            d.put("signal", signal);
        }
        d.put("cancelled", s.cancelRequested());
        d.put("status", status.name());
        if (s.threadId() == null) {
            d.putNull("thread_id");
        } else {
            d.put("thread_id", s.threadId());
        }
        d.set("usage", s.usage() == null ? d.nullNode() : Json.mapper().valueToTree(s.usage()));
        d.put("turn_failed", s.turnFailed());
        d.put("lines", s.lines());
        if (error != null) {
            d.put("error", error);
        }
        StderrSummary err = Files.exists(j.files.stderr()) ? StderrSummary.read(j.files.stderr())
                : new StderrSummary(java.util.List.of(), java.util.List.of(), 0);
        d.set("stderr_head", Json.mapper().valueToTree(err.head()));
        d.set("stderr_tail", Json.mapper().valueToTree(err.tail()));
        d.put("stderr_lines", err.lines());
        Instant end = now;
        try {
            if (Files.exists(j.files.exitFile())) {
                end = Files.getLastModifiedTime(j.files.exitFile()).toInstant();
            }
        } catch (IOException ignored) {
            // now will do
        }
        d.put("duration_ms", s.startedAt() == null ? 0 : Math.max(0, Duration.between(s.startedAt(), end).toMillis()));
        return new JobExit(status, d);
    }
}
