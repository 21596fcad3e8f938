package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import dev.agentcommander.e2e.realclients.RecordingHook.Call;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Claude Code 2.1.328 offers as "always allow" (permission_suggestions) for different kinds of command, and
 * what echoing a suggestion back in {@code updatedPermissions} really does to the next call.
 */
class ClaudeSuggestionsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Golden golden = Golden.claude();

    @TempDir
    Path dir;

    @Test
    void suggestionsDependOnTheKindOfCommand() {
        List<String> commands = List.of("touch a.txt", "git tag v1", "python3 -c 'print(1)'", "echo $(id)");
        List<String> names = List.of("touch", "git-tag", "python3-c", "command-substitution");
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash(commands.get(0), "Create a file"),
                Turn.bash(commands.get(1), "Tag"), Turn.bash(commands.get(2), "Print"),
                Turn.bash(commands.get(3), "Who am I"), Turn.text("All refused.")))) {
            s.hook.decide(ClaudeDecisions.deny("recorded, not run"));
            s.claude.submit("run four commands");
            for (int i = 0; i < commands.size(); i++) {
                Call c = s.hook.await("PermissionRequest", i + 1, WAIT);
                assertThat(c.payload().path("tool_input").path("command").asText()).isEqualTo(commands.get(i));
                golden.json("permission-suggestions-" + names.get(i) + ".json",
                        s.scrub.json(c.payload().path("permission_suggestions")));
            }
            s.hook.await("Stop", WAIT);
            JsonNode denied = FakeAnthropic.toolResults(s.api.modelCalls().get(1)).get(0);
            golden.json("tool-result-hook-deny.json", s.scrub.json(denied));
            assertThat(s.hook.calls("PostToolUse")).isEmpty();
            assertThat(s.hook.calls("PermissionDenied")).as("a hook deny fires no PermissionDenied").isEmpty();
            assertThat(s.hook.calls("Notification")).as("a hook that answers: no dialog, no notification").isEmpty();
            assertThat(s.claude.repo().resolve("a.txt")).doesNotExist();
        }
    }

    @Test
    void anAddRulesSuggestionLetsTheNextMatchingCallRunWithoutAsking() throws Exception {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("git tag v1", "Tag"),
                Turn.bash("git tag v1", "Tag again"), Turn.bash("git tag v2", "Tag v2"), Turn.text("Done.")))) {
            JsonNode rule = golden.readJson("permission-suggestions-git-tag.json").get(0);
            s.hook.decide(1, ClaudeDecisions.allowWith(rule));
            s.claude.submit("tag it");
            Call first = s.hook.await("PermissionRequest", WAIT);
            assertThat(first.payload().path("permission_suggestions").get(0)).isEqualTo(rule);
            s.hook.await("Stop", WAIT);

            assertThat(s.hook.calls("PermissionRequest")).as("the rule answers the next two calls").hasSize(1);
            assertThat(s.hook.calls("PreToolUse")).hasSize(3);
            assertThat(s.hook.calls("PostToolUse")).hasSize(2);
            Call failure = s.hook.await("PostToolUseFailure", WAIT);
            golden.json("post-tool-use-failure-bash.json", s.scrubbed(failure));
            assertThat(GitRepo.git(s.claude.repo(), "tag")).isEqualTo("v1\nv2\n");
            Path local = s.claude.repo().resolve(".claude/settings.local.json");
            golden.json("settings-local-after-addRules.json", s.scrub.json(Json.read(Files.readString(local))));
        }
    }

    @Test
    void anAddDirectoriesSuggestionDoesNotStopTheNextIdenticalCallButSetModeAcceptEditsDoes() {
        try (ClaudeScenario s = new ClaudeScenario(dir, List.of(Turn.bash("touch a.txt", "Create a file"),
                Turn.bash("touch a.txt", "Again"), Turn.bash("touch a.txt", "And again"), Turn.text("Done.")))) {
            s.hook.hold();
            s.claude.submit("touch it");
            JsonNode first = s.hook.await("PermissionRequest", WAIT).payload().path("permission_suggestions");
            assertThat(s.scrub.json(first)).isEqualTo(golden.readJson("permission-suggestions-touch.json"));
            assertThat(first.get(0).path("type").asText()).isEqualTo("addDirectories");
            s.hook.decide(1, ClaudeDecisions.allowWith(first.get(0)));

            Call second = s.hook.await("PermissionRequest", 2, WAIT);
            assertThat(second.payload().path("permission_mode").asText()).isEqualTo("default");
            JsonNode setMode = second.payload().path("permission_suggestions").get(1);
            assertThat(setMode.path("mode").asText()).isEqualTo("acceptEdits");
            s.hook.decide(2, ClaudeDecisions.allowWith(setMode));

            s.hook.await("Stop", WAIT);
            List<Call> ran = s.hook.calls("PostToolUse");
            assertThat(ran).hasSize(3);
            assertThat(s.hook.calls("PermissionRequest")).as("acceptEdits lets the third touch run unasked").hasSize(2);
            assertThat(ran.get(2).payload().path("permission_mode").asText()).isEqualTo("acceptEdits");
            assertThat(s.claude.repo().resolve(".claude/settings.local.json")).as("session-only: nothing written")
                    .doesNotExist();
        }
    }
}
