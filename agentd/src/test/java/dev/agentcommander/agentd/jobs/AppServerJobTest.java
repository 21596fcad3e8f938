package dev.agentcommander.agentd.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingSent;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionStatus;
import dev.agentcommander.schema.ServerMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code approvals: "ask"} jobs: the stand-in {@code codex app-server} (JSON-RPC as recorded from Codex 0.169.0)
 * asks for a command and a file change; each becomes an approval in the broker's inbox; an allow answers
 * {@code accept}, an expiry answers {@code decline}.
 */
class AppServerJobTest {
    @TempDir
    Path tmp;
    final RecordingOutbound out = new RecordingOutbound();
    ApprovalBroker broker;
    JobRunner runner;

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aCommandApprovalIsAcceptedOnAllowAndAFileChangeApprovalThatExpiresIsDeclined() throws Exception {
        Path codex = JobRunnerTest.standin(tmp);
        Path cwd = Files.createDirectories(tmp.resolve("work"));
        broker = new ApprovalBroker(out, new RecordingStatus(), null, Clock.systemUTC(), ApprovalMode.HOOK,
                Duration.ofSeconds(2), 8).start();
        runner = new JobRunner(JobRunner.Settings.of(codex.toString(), 4, false), out, RecordingSent.of(out),
                tmp.resolve("state"), Clock.systemUTC(), AppServerAsk.through(broker));
        runner.start();
        String sid = runner.spawn("c1", new CommandSpec.SpawnJob(cwd.toString(), "do it [[ask-command]] [[ask-file]]",
                null, "workspace-write", null, null, "ask")).get("session_id").asText();

        AgentMessage.ApprovalRequested cmd = out.awaitOne(AgentMessage.ApprovalRequested.class,
                a -> a.toolName().equals("Bash"));
        assertThat(cmd.sessionId()).isEqualTo(sid);
        assertThat(cmd.toolInput().path("command").asText()).isEqualTo("/bin/bash -lc 'touch accepted.txt'");
        Await.until("the job waiting on its approval", Duration.ofSeconds(5), () -> out.of(
                AgentMessage.SessionsUpsert.class, u -> u.session().sessionId().equals(sid)
                        && u.session().status() == SessionStatus.WAITING && u.session().needsAttention()).size() > 0);
        broker.onDecision(new ServerMessage.ApprovalDecision(cmd.approvalId(), ApprovalBehavior.ALLOW, null, null,
                null));

        AgentMessage.ApprovalRequested file = out.awaitOne(AgentMessage.ApprovalRequested.class,
                a -> a.toolName().equals("apply_patch"));
        assertThat(file.toolInput().path("changes").get(0).path("path").asText()).isEqualTo("notes.txt");
        // nobody answers: it expires after 2 s and Codex is told decline
        assertThat(out.awaitOne(AgentMessage.ApprovalResolved.class, r -> r.approvalId().equals(file.approvalId()))
                .outcome()).isEqualTo(ApprovalOutcome.EXPIRED);

        Await.until("the job's end", Duration.ofSeconds(20), () -> !out.of(AgentMessage.EventsAppend.class,
                e -> sid.equals(e.sessionId()) && e.eventType().equals("job.exited")).isEmpty());
        List<AgentMessage.EventsAppend> ev = out.of(AgentMessage.EventsAppend.class, e -> sid.equals(e.sessionId()));
        assertThat(ev.getFirst().eventType()).isEqualTo("job.started");
        List<String> completed = ev.stream().filter(e -> e.data().path("method").asText().equals("item/completed"))
                .map(e -> e.data().path("params").path("item").path("status").asText()).toList();
        assertThat(completed).containsExactly("completed", "declined");
        assertThat(ev.getLast().data().path("exit_code").asInt()).isZero();
        Await.until("the final record", Duration.ofSeconds(5), () -> last(sid).status() == SessionStatus.DONE);
        assertThat(last(sid).threadId()).isNotBlank();
        assertThat(last(sid).usage().inputTokens()).isEqualTo(200L);
        assertThat(last(sid).needsAttention()).isFalse();
    }

    Session last(String sid) {
        return out.of(AgentMessage.SessionsUpsert.class, u -> u.session().sessionId().equals(sid)).getLast().session();
    }
}
