package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.jobs.JobRunner;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingSent;
import dev.agentcommander.e2e.realclients.FakeResponses.Failed;
import dev.agentcommander.e2e.realclients.FakeResponses.Reply;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentd's job runner driving the real {@code codex exec --json} 0.169.0 against a fake Responses API: what it
 * forwards is what Codex printed (the golden files {@link CodexExecTest} records), and DONE / ERROR come out as
 * DESIGN §3 says. The stand-in {@code codex} the other job tests use is held to the same golden files here, so it
 * cannot drift from the real CLI unseen.
 */
class CodexJobRunnerRealTest {
    private final Golden golden = Golden.codex();
    private final FakeResponses api = new FakeResponses();
    private final RecordingOutbound out = new RecordingOutbound();
    private JobRunner runner;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        api.close();
    }

    /** A program that runs the real codex with {@code home}'s environment only (the job inherits agentd's). */
    private Path codexWithEnv(CodexHome home) throws Exception {
        StringBuilder sh = new StringBuilder("#!/bin/sh\nexec env -i");
        for (Map.Entry<String, String> e : home.env().entrySet()) {
            sh.append(" '").append(e.getKey()).append('=').append(e.getValue().replace("'", "'\\''")).append('\'');
        }
        sh.append(" '").append(RealClis.codex()).append("' \"$@\"\n");
        Path p = dir.resolve("codex-wrapped");
        Files.writeString(p, sh.toString());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private Path repo() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo")).toRealPath();
        if (!Files.exists(repo.resolve(".git"))) {
            GitRepo.init(repo);
        }
        return repo;
    }

    private List<AgentMessage.EventsAppend> runJob(Path codex, String prompt) throws Exception {
        runner = new JobRunner(JobRunner.Settings.of(codex.toString(), 4, false), out, RecordingSent.of(out),
                dir.resolve("state"), Clock.systemUTC());
        runner.start();
        String sid = runner.spawn("c1", new CommandSpec.SpawnJob(repo().toString(), prompt)).get("session_id")
                .asText();
        Await.until("the job's final record", Duration.ofSeconds(60), () -> out.of(AgentMessage.SessionsUpsert.class,
                u -> u.session().sessionId().equals(sid) && u.session().status() != SessionStatus.RUNNING
                        && u.session().status() != SessionStatus.WAITING).size() == 1);
        return out.of(AgentMessage.EventsAppend.class, e -> sid.equals(e.sessionId()));
    }

    private Session finalSession() {
        return out.of(AgentMessage.SessionsUpsert.class).getLast().session();
    }

    private List<JsonNode> codexEvents(List<AgentMessage.EventsAppend> events, CodexHome home) throws Exception {
        Scrub s = new Scrub().path(repo().toString(), "<repo>").path(home.dir().toString(), "<codex-home>")
                .path(dir.toString(), "<tmp>").origin(api.origin());
        return events.stream().filter(e -> e.eventType().equals("codex.event"))
                .map(e -> s.json(Json.read(e.data().toString()))).toList();
    }

    /** Compares with a golden file (never records one: {@link CodexExecTest} does). */
    private void sameAsGolden(String name, List<JsonNode> scrubbed) throws Exception {
        List<String> expected = Files.readString(golden.file(name)).lines()
                .map(l -> Json.pretty(Golden.sorted(Json.read(l)))).toList();
        assertThat(scrubbed.stream().map(n -> Json.pretty(Golden.sorted(n))).toList()).as(name)
                .containsExactlyElementsOf(expected);
    }

    @Test
    void theJobRunnerForwardsWhatRealCodexPrintsAndEndsDoneWithItsThreadAndUsage() throws Exception {
        api.then(Reply.execCommand("echo hello"), Reply.text("Done."));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
        List<AgentMessage.EventsAppend> ev = runJob(codexWithEnv(home), "-say hello, \"quoted\" and $(not expanded)\n");
        sameAsGolden("exec-success.jsonl", codexEvents(ev, home));
        assertThat(api.modelCalls().get(0).body()).contains("-say hello, \\\"quoted\\\" and $(not expanded)");
        JsonNode exited = ev.getLast().data();
        assertThat(ev.getLast().eventType()).isEqualTo("job.exited");
        assertThat(exited.get("exit_code").asInt()).as(exited.toString()).isZero();
        Session s = finalSession();
        assertThat(s.status()).isEqualTo(SessionStatus.DONE);
        assertThat(s.threadId()).isEqualTo(ev.get(1).data().get("thread_id").asText());
        assertThat(s.usage()).isEqualTo(new Session.Usage(200L, 40L, 0L, 20L, 6L));
    }

    @Test
    void aFailedModelCallEndsTheJobError() throws Exception {
        api.then(new Failed("the model exploded"));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
        List<AgentMessage.EventsAppend> ev = runJob(codexWithEnv(home), "fail please");
        sameAsGolden("exec-turn-failed.jsonl", codexEvents(ev, home));
        assertThat(ev.getLast().data().get("exit_code").asInt()).isEqualTo(1);
        assertThat(finalSession().status()).isEqualTo(SessionStatus.ERROR);
    }

    @Test
    void theStandInCodexPrintsWhatRealCodexPrinted() throws Exception {
        Path standin = dir.resolve("codex-standin");
        try (InputStream in = CodexJobRunnerRealTest.class.getResourceAsStream("/standins/codex-headless")) {
            Files.copy(in, standin, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(standin, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> scenarios = Map.of("exec-success.jsonl", "say hello",
                "exec-turn-failed.jsonl", "[[fail-turn]]", "exec-command-fails.jsonl", "[[command-fails]]",
                "exec-retry-stream.jsonl", "[[retry]]");
        for (Map.Entry<String, String> e : scenarios.entrySet()) {
            Process p = new ProcessBuilder(standin.toString(), "exec", "--json", "--sandbox", "workspace-write", "-C",
                    dir.toString(), "-").directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
            List<JsonNode> lines = new ArrayList<>();
            new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .forEach(l -> lines.add(new Scrub().json(Json.read(l))));
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            sameAsGolden(e.getKey(), lines);
        }
    }
}
