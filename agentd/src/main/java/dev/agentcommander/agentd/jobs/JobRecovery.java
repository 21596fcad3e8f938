package dev.agentcommander.agentd.jobs;

import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.schema.AgentMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;

/**
 * Picks up a job a previous agentd left behind, from its state file and what the outbox holds after the file's
 * seq ({@link SentEvents}): lines already sent are read again only to rebuild the state (thread id, usage, a
 * failed turn), never sent twice; a {@code job.exited} already sent is not sent again; a job launched just before
 * the crash (its wrapper wrote a pid file, the state still says queued) is adopted, not started a second time.
 * A job whose process is gone is finished by the runner's next round from what its files say.
 */
final class JobRecovery {
    private JobRecovery() {
    }

    /** @return whether the runner keeps the job (always: a finished one still answers "already finished") */
    static boolean resume(Job j, SentEvents sent, Outbound out, JobRunner runner) {
        JobState s = j.state;
        if (s.phase() == JobState.Phase.FINISHED) {
            if (!j.files.cleaned()) { // finished, but maybe the last upsert did not go out
                out.send(new AgentMessage.SessionsUpsert(j.session()));
                j.files.clean();
            }
            return true;
        }
        if (s.ask()) { // its app-server ran on the previous agentd's pipes and ended with it
            j.closeReader();
            runner.finish(j, false, "agentd restarted while this approvals: \"ask\" job ran; codex app-server "
                    + "ended with it");
            return true;
        }
        SentEvents.Seen seen = sent.after(s.seq(), s.sessionId());
        if (s.phase() == JobState.Phase.QUEUED) {
            Long pid = j.files.wrapperPid();
            if (pid == null) {
                if (seen.exited()) { // cancelled while queued; the record did not make it to disk
                    runner.complete(j, dev.agentcommander.schema.SessionStatus.EXITED.name());
                }
                return true; // still waiting for a slot
            }
            j.state = s.running(pid, JobProcess.startMillis(pid).orElse(null), launchedAt(j));
        }
        if (seen.started() && !j.state.startedSent()) {
            j.state = j.state.withStartedSent(j.state.seq());
        }
        if (seen.lines() > 0) {
            j.pump((int) Math.min(Integer.MAX_VALUE, seen.lines()), seen.exited(), null, Instant.now());
        }
        if (seen.exited()) {
            j.closeReader();
            runner.complete(j, JobExit.of(j, false, null, Instant.now()).status().name());
            return true;
        }
        if (!j.state.startedSent()) {
            runner.sendStarted(j, runner.argv(j));
        }
        j.write(sent);
        out.send(new AgentMessage.SessionsUpsert(j.session()));
        return true;
    }

    private static Instant launchedAt(Job j) {
        try {
            return Files.getLastModifiedTime(j.files.pidFile()).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }
}
