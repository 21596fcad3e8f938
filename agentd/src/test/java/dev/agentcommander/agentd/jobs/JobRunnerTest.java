package dev.agentcommander.agentd.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingSent;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionKind;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job runner with real processes: the stand-in {@code codex} (Codex 0.169.0's event format) under setsid. */
class JobRunnerTest {
    @TempDir
    Path tmp;
    Path codex;
    Path cwd;
    RecordingOutbound out = new RecordingOutbound();
    JobRunner runner;

    @BeforeEach
    void setUp() throws Exception {
        codex = standin(tmp);
        cwd = Files.createDirectories(tmp.resolve("work"));
        runner = runner(4, false);
        runner.start();
    }

    @AfterEach
    void tearDown() {
        runner.close();
        // a test that failed half way leaves no job behind: every group it started is killed
        out.of(AgentMessage.EventsAppend.class, e -> e.eventType().equals("job.started"))
                .forEach(e -> JobProcess.signalGroup(e.data().get("pid").asLong(), "KILL"));
    }

    static Path standin(Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path target = bin.resolve("codex");
        try (InputStream in = JobRunnerTest.class.getResourceAsStream("/standins/codex-headless")) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        return target;
    }

    JobRunner runner(int maxJobs, boolean fullAccess) {
        return new JobRunner(JobRunner.Settings.of(codex.toString(), maxJobs, fullAccess), out,
                RecordingSent.of(out), tmp.resolve("state"), Clock.systemUTC());
    }

    String spawn(String prompt) {
        return spawn(new CommandSpec.SpawnJob(cwd.toString(), prompt));
    }

    String spawn(CommandSpec.SpawnJob spec) {
        JsonNode r = runner.spawn("c_" + System.nanoTime(), spec);
        return r.get("session_id").asText();
    }

    /** The job's events in order (type, then codex type or ""), waiting for its job.exited. */
    List<AgentMessage.EventsAppend> events(String sid) {
        Await.until("job.exited of " + sid, Duration.ofSeconds(20), () -> !out.of(AgentMessage.EventsAppend.class,
                e -> sid.equals(e.sessionId()) && e.eventType().equals("job.exited")).isEmpty());
        Await.until("the final session record of " + sid, Duration.ofSeconds(5), () -> Set.of(SessionStatus.DONE,
                SessionStatus.ERROR, SessionStatus.EXITED).contains(lastSession(sid).status()));
        return out.of(AgentMessage.EventsAppend.class, e -> sid.equals(e.sessionId()));
    }

    static List<String> kinds(List<AgentMessage.EventsAppend> events) {
        return events.stream().map(e -> e.eventType().equals(CodexLine.EVENT) ? e.data().path("type").asText()
                : e.eventType()).toList();
    }

    Session lastSession(String sid) {
        return out.of(AgentMessage.SessionsUpsert.class, u -> u.session().sessionId().equals(sid)).getLast().session();
    }

    JsonNode exited(List<AgentMessage.EventsAppend> events) {
        assertThat(events.getLast().eventType()).isEqualTo("job.exited");
        return events.getLast().data();
    }

    @Test
    void aSuccessfulJobForwardsEveryLineInOrderThenExitsDoneWithItsThreadAndUsage() {
        String sid = spawn("say hello");
        List<AgentMessage.EventsAppend> ev = events(sid);
        assertThat(kinds(ev)).containsExactly("job.started", "thread.started", "turn.started", "item.started",
                "item.completed", "item.completed", "turn.completed", "job.exited");
        String thread = ev.get(1).data().get("thread_id").asText();
        JsonNode x = exited(ev);
        assertThat(x.get("exit_code").asInt()).isZero();
        assertThat(x.get("cancelled").asBoolean()).isFalse();
        assertThat(x.get("thread_id").asText()).isEqualTo(thread);
        assertThat(x.get("usage").get("input_tokens").asLong()).isEqualTo(200);
        Session s = lastSession(sid);
        assertThat(s.kind()).isEqualTo(SessionKind.JOB);
        assertThat(s.provider()).isEqualTo(Provider.CODEX);
        assertThat(s.status()).isEqualTo(SessionStatus.DONE);
        assertThat(s.threadId()).isEqualTo(thread);
        assertThat(s.usage()).isEqualTo(new Session.Usage(200L, 40L, 0L, 20L, 6L));
        assertThat(s.cwd()).isEqualTo(cwd.toString());
        // the statuses it went through, in order
        assertThat(out.of(AgentMessage.SessionsUpsert.class, u -> u.session().sessionId().equals(sid)).stream()
                .map(u -> u.session().status()).distinct()).containsExactly(SessionStatus.WAITING,
                SessionStatus.RUNNING, SessionStatus.DONE);
        // the job's leftovers are gone, its record stays
        assertThat(tmp.resolve("state/jobs/" + sid + "/stdout")).doesNotExist();
        assertThat(tmp.resolve("state/jobs/" + sid + "/state.json")).exists();
    }

    @Test
    void aFailedTurnIsAnErrorButRetriesAndAFailingCommandInsideATurnAreNot() {
        String failed = spawn("[[fail-turn]]");
        String retried = spawn("[[retry]]");
        String cmdFails = spawn("[[command-fails]]");
        JsonNode f = exited(events(failed));
        assertThat(f.get("exit_code").asInt()).isEqualTo(1);
        assertThat(f.get("turn_failed").asBoolean()).isTrue();
        assertThat(lastSession(failed).status()).isEqualTo(SessionStatus.ERROR);
        assertThat(kinds(events(retried))).contains("error").endsWith("turn.completed", "job.exited");
        assertThat(lastSession(retried).status()).isEqualTo(SessionStatus.DONE);
        List<AgentMessage.EventsAppend> cmdEvents = events(cmdFails);
        assertThat(lastSession(cmdFails).status()).isEqualTo(SessionStatus.DONE);
        assertThat(cmdEvents.stream().anyMatch(e -> e.data().path("item").path("status").asText()
                .equals("failed"))).isTrue();
    }

    @Test
    void aCodexProgramThatCannotBeStartedEndsTheJobErrorWithWhy() {
        runner.close();
        codex = tmp.resolve("bin/no-such-codex");
        runner = runner(4, false);
        runner.start();
        String sid = spawn("hello");
        JsonNode x = exited(events(sid));
        assertThat(x.get("exit_code").asInt()).isEqualTo(127);
        assertThat(x.get("error").asText()).contains("could not start");
        assertThat(x.get("stderr_head").toString()).contains("no-such-codex");
        assertThat(lastSession(sid).status()).isEqualTo(SessionStatus.ERROR);
    }

    @Test
    void aNonZeroExitIsAnErrorEvenAfterACompletedTurn() {
        String sid = spawn("[[exit:3]]");
        assertThat(exited(events(sid)).get("exit_code").asInt()).isEqualTo(3);
        assertThat(lastSession(sid).status()).isEqualTo(SessionStatus.ERROR);
    }

    @Test
    void aNonJsonLineIsForwardedUnparsedAndStderrIsKeptHeadAndTail() {
        String sid = spawn("[[unparsed]] [[stderr:100]]");
        List<AgentMessage.EventsAppend> ev = events(sid);
        assertThat(ev.stream().filter(e -> e.eventType().equals("codex.unparsed")).map(e -> e.data().get("line")
                .asText())).containsExactly("WARNING: not JSON at all");
        assertThat(kinds(ev).indexOf("codex.unparsed")).isEqualTo(3); // in its place among the events
        JsonNode x = exited(ev);
        assertThat(x.get("stderr_lines").asLong()).isEqualTo(100);
        assertThat(x.get("stderr_head")).hasSize(20);
        assertThat(x.get("stderr_head").get(0).asText()).isEqualTo("stderr line 1");
        assertThat(x.get("stderr_tail")).hasSize(50);
        assertThat(x.get("stderr_tail").get(49).asText()).isEqualTo("stderr line 100");
        assertThat(x.get("stderr_tail").get(0).asText()).isEqualTo("stderr line 51");
    }

    @Test
    void thePromptReachesCodexIntactOnStdinAndNeverInArgv() throws Exception {
        Path log = tmp.resolve("standin.log");
        // the runner's processes inherit this JVM's environment: point the stand-in's log through a wrapper
        Path wrapper = tmp.resolve("bin/codex-logged");
        Files.writeString(wrapper, "#!/bin/sh\nCODEX_STANDIN_LOG='" + log + "' exec '" + codex + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        runner.close();
        codex = wrapper;
        runner = runner(4, false);
        runner.start();
        String prompt = "-c model=\"evil\" --dangerously\n'quoted' \"double\" $(touch " + tmp.resolve("pwned")
                + ") `id` ; | & > x\n\ttabbed";
        String sid = spawn(new CommandSpec.SpawnJob(cwd.toString(), prompt, "n", "read-only", "gpt-5.5", null,
                "never"));
        assertThat(lastSessionAfterExit(sid).status()).isEqualTo(SessionStatus.DONE);
        String logged = Files.readString(log, StandardCharsets.UTF_8);
        String argv = logged.substring(0, logged.indexOf("\n--stdin--\n"));
        assertThat(Arrays.asList(argv.split("\0"))).containsExactly("exec", "--json", "--sandbox", "read-only", "-C",
                cwd.toString(), "--model", "gpt-5.5", "-");
        assertThat(logged.substring(logged.indexOf("\n--stdin--\n") + 11, logged.lastIndexOf("\n--end--\n")))
                .isEqualTo(prompt);
        assertThat(tmp.resolve("pwned")).doesNotExist();
    }

    Session lastSessionAfterExit(String sid) {
        events(sid);
        return lastSession(sid);
    }

    @Test
    void resumeContinuesTheThreadInCodexsArgumentOrder() throws Exception {
        String first = spawn("one");
        events(first);
        String thread = lastSession(first).threadId();
        String second = spawn(new CommandSpec.SpawnJob(cwd.toString(), "two", null, "workspace-write", null, thread,
                "never"));
        JsonNode started = events(second).get(0).data();
        assertThat(started.get("argv")).extracting(JsonNode::asText).containsExactly(codex.toString(), "exec",
                "--json", "-C", cwd.toString(), "-s", "workspace-write", "resume", thread, "-");
        assertThat(lastSession(second).threadId()).isEqualTo(thread);
    }

    @Test
    void aMissingCwdAndFullAccessWithoutPermissionAreRefusedAndNothingRuns() {
        int before = out.size();
        assertThatThrownBy(() -> spawn(new CommandSpec.SpawnJob(tmp.resolve("nope").toString(), "x")))
                .isInstanceOf(JobRunner.Refused.class).hasMessageContaining("cwd").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> spawn(new CommandSpec.SpawnJob(cwd.toString(), "x", null, "danger-full-access",
                null, null, "never"))).isInstanceOf(JobRunner.Refused.class)
                .hasMessageContaining("providers.codex.allow_full_access");
        assertThat(out.size()).isEqualTo(before);
        assertThat(tmp.resolve("state/jobs")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(p).isEmptyDirectory());
    }

    @Test
    void cancelEndsTheWholeProcessGroupWithinSixSecondsEvenWhenItIgnoresSigterm() throws Exception {
        String sid = spawn("[[hang]]");
        Await.until("the hanging job's first item", Duration.ofSeconds(10), () -> kindsNow(sid).contains("item.started"));
        long pgid = events0(sid).get(0).data().get("pid").asLong();
        assertThat(groupMembers(pgid)).hasSizeGreaterThanOrEqualTo(2); // the stand-in and its sleep child
        long t0 = System.nanoTime();
        assertThat(runner.cancel(sid).get("session_id").asText()).isEqualTo(sid);
        JsonNode x = exited(events(sid));
        Await.until("the job's process group gone", Duration.ofSeconds(6), () -> groupMembers(pgid).isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
        assertThat(x.get("cancelled").asBoolean()).isTrue();
        assertThat(x.get("signal").asText()).isEqualTo("KILL");
        assertThat(lastSession(sid).status()).isEqualTo(SessionStatus.EXITED);
        assertThatThrownBy(() -> runner.cancel(sid)).hasMessageContaining("already finished");
    }

    List<AgentMessage.EventsAppend> events0(String sid) {
        return out.of(AgentMessage.EventsAppend.class, e -> sid.equals(e.sessionId()));
    }

    List<String> kindsNow(String sid) {
        return kinds(events0(sid));
    }

    /** Processes whose process group is {@code pgid} (read from /proc). */
    static List<Long> groupMembers(long pgid) {
        try (var s = Files.list(Path.of("/proc"))) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return !f[0].equals("Z") && Long.parseLong(f[2]) == pgid;
                } catch (Exception e) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theFifthJobWaitsForAFreeSlotAndAQueuedJobCanBeCancelled() {
        runner.close();
        runner = runner(2, false);
        runner.start();
        String a = spawn("[[hang]]");
        String b = spawn("[[hang]]");
        String c = spawn("[[slow:2]]");
        String d = spawn("queued, then cancelled");
        assertThat(lastSession(c).status()).isEqualTo(SessionStatus.WAITING);
        assertThat(lastSession(c).needsAttention()).isFalse();
        assertThat(runner.cancel(d).get("status").asText()).isEqualTo("EXITED");
        assertThat(kinds(events(d))).containsExactly("job.exited");
        runner.cancel(a);
        events(a);
        assertThat(lastSessionAfterExit(c).status()).isEqualTo(SessionStatus.DONE);
        assertThat(kinds(events0(c)).getFirst()).isEqualTo("job.started");
        runner.cancel(b);
        events(b);
    }
}
