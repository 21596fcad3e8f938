package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.e2e.realclients.FakeResponses.Disconnect;
import dev.agentcommander.e2e.realclients.FakeResponses.Failed;
import dev.agentcommander.e2e.realclients.FakeResponses.HttpError;
import dev.agentcommander.e2e.realclients.FakeResponses.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code codex exec --json} 0.169.0 against a fake Responses API, run with the argv agentd's job runner
 * uses, each stream pinned as a golden file: what DONE, ERROR and a retry look like on the wire.
 */
class CodexExecTest {
    private final Golden golden = Golden.codex();
    private final FakeResponses api = new FakeResponses();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        api.close();
    }

    private Path repo() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo")).toRealPath();
        if (!Files.exists(repo.resolve(".git"))) {
            GitRepo.init(repo);
        }
        return repo;
    }

    private CodexExec.Result exec(CodexHome home, String prompt) throws Exception {
        return CodexExec.run(home, repo(), prompt, "exec", "--json", "--sandbox", "workspace-write", "-C",
                repo().toString(), "-");
    }

    private List<JsonNode> scrubbed(CodexHome home, CodexExec.Result r) throws Exception {
        Scrub s = new Scrub().path(repo().toString(), "<repo>").path(home.dir().toString(), "<codex-home>")
                .path(dir.toString(), "<tmp>").origin(api.origin());
        return r.events().stream().map(s::json).toList();
    }

    @Test
    void aTurnThatRunsACommandEmitsThreadStartedThroughTurnCompletedWithUsage() throws Exception {
        api.then(Reply.execCommand("echo hello"), Reply.text("Done."));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
        CodexExec.Result r = exec(home, "-say hello, \"quoted\" and $(not expanded)\n");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.types()).containsExactly("thread.started", "turn.started", "item.started", "item.completed",
                "item.completed", "turn.completed");
        JsonNode command = r.events().get(3).path("item");
        assertThat(command.path("type").asText()).isEqualTo("command_execution");
        assertThat(command.path("exit_code").asInt()).isZero();
        assertThat(command.path("aggregated_output").asText()).isEqualTo("hello\n");
        JsonNode usage = r.last("turn.completed").path("usage");
        assertThat(usage.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("input_tokens",
                "cached_input_tokens", "cache_write_input_tokens", "output_tokens", "reasoning_output_tokens");
        assertThat(usage.path("input_tokens").asInt()).as("two model calls in the turn, added up").isEqualTo(200);
        assertThat(api.modelCalls()).hasSize(2);
        assertThat(api.modelCalls().get(0).body()).as("the prompt arrives intact from stdin")
                .contains("-say hello, \\\"quoted\\\" and $(not expanded)");
        assertThat(api.modelCalls().get(1).body()).contains("function_call_output");
        golden.jsonLines("exec-success.jsonl", scrubbed(home, r));
    }

    @Test
    void aFailedModelCallFailsTheTurnAndExitsOne() throws Exception {
        api.then(new Failed("the model exploded"));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
        CodexExec.Result r = exec(home, "fail please");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.types()).containsExactly("thread.started", "turn.started", "error", "turn.failed");
        golden.jsonLines("exec-turn-failed.jsonl", scrubbed(home, r));
    }

    @Test
    void aCommandThatFailsInsideASuccessfulTurnStillExitsZero() throws Exception {
        api.then(Reply.execCommand("ls /nonexistent"), Reply.text("It is not there."));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
        CodexExec.Result r = exec(home, "list it");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode command = r.events().get(3).path("item");
        assertThat(command.path("status").asText()).isEqualTo("failed");
        assertThat(command.path("exit_code").asInt()).isEqualTo(2);
        assertThat(r.types()).contains("turn.completed").doesNotContain("turn.failed", "error");
        golden.jsonLines("exec-command-fails.jsonl", scrubbed(home, r));
    }

    @Test
    void aBrokenStreamIsRetriedWithTopLevelErrorEventsAndTheRunSucceeds() throws Exception {
        api.then(new Disconnect(), new Disconnect(), Reply.text("Back again."));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 3);
        CodexExec.Result r = exec(home, "try");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.types()).containsExactly("thread.started", "turn.started", "error", "error", "item.completed",
                "turn.completed");
        assertThat(r.events().get(2).path("message").asText()).startsWith("Reconnecting... 1/3");
        golden.jsonLines("exec-retry-stream.jsonl", scrubbed(home, r));
    }

    @Test
    void anHttpErrorIsRetriedSilently() throws Exception {
        api.then(new HttpError(500, "overloaded"), new HttpError(503, "overloaded"), Reply.text("Fine now."));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 3);
        CodexExec.Result r = exec(home, "try");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.types()).containsExactly("thread.started", "turn.started", "item.completed", "turn.completed");
        assertThat(api.modelCalls()).hasSize(3);
        golden.jsonLines("exec-retry-http.jsonl", scrubbed(home, r));
    }

    @Test
    void resumeContinuesTheThreadAndReportsItsCumulativeUsage() throws Exception {
        api.then(Reply.text("First."), Reply.text("Second."));
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
        CodexExec.Result first = exec(home, "one");
        String thread = first.events().get(0).path("thread_id").asText();
        CodexExec.Result second = CodexExec.run(home, repo(), "two", "exec", "--json", "-C", repo().toString(),
                "-s", "workspace-write", "resume", thread, "-");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.events().get(0).path("thread_id").asText()).isEqualTo(thread);
        assertThat(second.last("turn.completed").path("usage").path("input_tokens").asInt())
                .as("the thread's total, not the turn's").isEqualTo(200);
        assertThat(api.modelCalls().get(1).body()).contains("First.").contains("two");
        golden.jsonLines("exec-resume.jsonl", scrubbed(home, second));
    }

    @Test
    void outsideAGitRepositoryItRefusesWithExitOne() throws Exception {
        // the test's own directory lies inside the project's clone, so this one must be elsewhere
        Path plain = Files.createTempDirectory(Path.of("/tmp"), "ac-codex-nogit-");
        try {
            CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
            CodexExec.Result r = CodexExec.run(home, plain, "hi", "exec", "--json", "-C", plain.toString(), "-");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.events()).isEmpty();
            assertThat(r.stderr()).contains("--skip-git-repo-check");
            assertThat(api.modelCalls()).isEmpty();
        } finally {
            Files.delete(plain);
        }
    }
}
