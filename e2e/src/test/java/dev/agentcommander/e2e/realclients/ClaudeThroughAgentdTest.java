package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.e2e.Rest;
import dev.agentcommander.e2e.Stack;
import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Claude Code 2.1.328 in a tmux pane, its hooks running agentd's real hook command, agentd watching the pane
 * and relaying to a real control plane, and a person deciding over REST: what issue 22 found to differ from the
 * stand-ins, end to end (docs/real-clients.md).
 */
class ClaudeThroughAgentdTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String[] EVENTS = {"UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse",
        "PostToolUseFailure", "PermissionDenied", "Notification", "Stop"};

    private static final java.util.concurrent.atomic.AtomicInteger HOSTS = new java.util.concurrent.atomic.AtomicInteger();

    @TempDir
    static Path shared;
    static Stack stack;

    @TempDir
    Path dir;
    FakeAnthropic api;
    ClaudeCode claude;
    String session;

    @BeforeAll
    static void startControlPlane() throws Exception {
        stack = new Stack(shared).startDatabase();
        stack.startControlPlane();
    }

    @AfterAll
    static void stopControlPlane() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @AfterEach
    void stop() throws Exception {
        try {
            stack.stopAgentd();
        } finally {
            try {
                if (claude != null) {
                    claude.close();
                }
            } finally {
                if (api != null) {
                    api.close();
                }
            }
        }
    }

    /** Claude with agentd's hook on every event that matters, then agentd (in {@code mode}) watching its pane. */
    private String start(String mode, List<Turn> script, UnaryOperator<ClaudeCode.Builder> options) throws Exception {
        api = new FakeAnthropic();
        api.then(script.toArray(Turn[]::new));
        ClaudeCode.Builder b = ClaudeCode.in(dir.resolve("claude"), api);
        String hook = Stack.hookScript() + " --listen 127.0.0.1:" + stack.hooksPort + " --timeout 60";
        for (String e : EVENTS) {
            b.hook(e, hook);
        }
        claude = options.apply(b).start();
        // a host and an outbox of its own per test: agentd's seqs start again at 1
        stack.registerHost("real-claude-" + HOSTS.incrementAndGet());
        stack.useTmuxSocket(claude.tmuxSocket()).useAgentdStateDir(dir.resolve("agentd-state"));
        stack.agentdConfig.put("approvals_mode", mode);
        stack.startAgentd();
        session = Await.value("agentd to announce Claude's pane", WAIT, () -> {
            // this test's host only: earlier tests' Claude panes were %0 on their own tmux servers too
            for (JsonNode s : rest(Role.VIEWER).get("/v1/sessions?host_id=" + stack.hostId()).body().path("items")) {
                if (claude.paneId().equals(s.at("/tmux/pane_id").asText()) && "claude".equalsIgnoreCase(s.path("provider").asText())
                        && !"EXITED".equals(s.path("status").asText())) {
                    return s.path("session_id").asText(s.path("id").asText());
                }
            }
            return null;
        });
        return session;
    }

    /** What a failed wait shows: Claude's screen and the end of agentd's log. */
    private String seen() {
        StringBuilder b = new StringBuilder(claude == null ? "" : claude.screen());
        b.append("\n--- events: ");
        for (JsonNode e : rest(Role.VIEWER).get("/v1/sessions/" + session + "/events").body().path("items")) {
            b.append(e.path("type").asText()).append(' ');
        }
        b.append("\n--- approvals: ").append(rest(Role.VIEWER).get("/v1/approvals").body());
        try (var logs = Files.list(shared.resolve("logs"))) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("agentd")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                b.append("\n--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
        } catch (java.io.IOException e) {
            b.append("\n(no logs: ").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    private static Rest rest(Role role) {
        return stack.rest(role);
    }

    private JsonNode awaitPending(String sessionId) {
        return Await.value("a pending approval for " + sessionId, WAIT, () -> {
            for (JsonNode a : rest(Role.VIEWER).get("/v1/approvals?status=pending").body().path("items")) {
                if (sessionId.equals(a.path("session_id").asText())) {
                    return a;
                }
            }
            return null;
        }, this::seen);
    }

    private JsonNode awaitStatus(String approvalId, String status) {
        return Await.value("approval " + approvalId + " " + status, WAIT, () -> {
            JsonNode a = rest(Role.VIEWER).get("/v1/approvals/" + approvalId).body();
            return status.equals(a.path("status").asText()) ? a : null;
        });
    }

    private Rest.Reply decide(String approvalId, Map<String, Object> body) {
        return rest(Role.OPERATOR).post("/v1/approvals/" + approvalId + "/decision", body);
    }

    @Test
    void allowFromRestRunsTheCommandAndTheApprovalCarriesTheTurnAndToolCall() throws Exception {
        String session = start("hook", List.of(Turn.bash("git tag v1", "Tag the release"), Turn.text("Tagged.")),
                b -> b);
        claude.submit("tag the release");
        JsonNode a = awaitPending(session);
        assertThat(a.path("tool_name").asText()).isEqualTo("Bash");
        assertThat(a.at("/tool_input/command").asText()).isEqualTo("git tag v1");
        assertThat(a.path("prompt_id").asText()).matches("[0-9a-f-]{36}");
        assertThat(a.path("tool_use_id").asText()).isEqualTo("toolu_fake_0001");
        assertThat(a.at("/permission_choices/0/label").asText()).contains("Always allow Bash(git tag *)");
        assertThat(a.at("/permission_choices/0/stops_asking").asBoolean()).isTrue();

        assertThat(decide(a.path("id").asText(), Map.of("behavior", "allow")).status()).isEqualTo(200);
        Await.value("the tag", WAIT, () -> GitRepo.git(claude.repo(), "tag").equals("v1\n") ? true : null,
                claude::screen);
        awaitStatus(a.path("id").asText(), "allowed");
    }

    @Test
    void denyWithAMessageReachesTheModelAsAnErrorToolResult() throws Exception {
        String session = start("hook", List.of(Turn.bash("rm -rf build", "Remove the build output"),
                Turn.text("Understood.")), b -> b);
        claude.submit("clean up");
        JsonNode a = awaitPending(session);
        assertThat(decide(a.path("id").asText(), Map.of("behavior", "deny", "message", "not today")).status())
                .isEqualTo(200);
        List<Recorded> calls = api.await(FakeAnthropic::isModelCall, 2, WAIT);
        JsonNode result = FakeAnthropic.toolResults(calls.get(1)).get(0);
        assertThat(result.path("is_error").asBoolean()).isTrue();
        assertThat(ClaudeDecisions.text(result.path("content"))).isEqualTo("not today");
        awaitStatus(a.path("id").asText(), "denied");
    }

    @Test
    void anAlwaysAllowThatIsARuleStopsTheNextCallFromAsking() throws Exception {
        String session = start("hook", List.of(Turn.bash("git tag v1", "Tag the release"), Turn.text("Tagged."),
                Turn.bash("git tag v2", "Tag again"), Turn.text("Tagged again.")), b -> b);
        claude.submit("tag the release");
        JsonNode a = awaitPending(session);
        JsonNode rule = a.path("permission_suggestions").get(0);
        assertThat(rule.path("type").asText()).isEqualTo("addRules");
        assertThat(decide(a.path("id").asText(), Map.of("behavior", "allow", "updated_permissions", List.of(rule)))
                .status()).isEqualTo(200);
        awaitStatus(a.path("id").asText(), "allowed");
        Path local = claude.repo().resolve(".claude/settings.local.json");
        Await.value("the rule on disk", WAIT, () -> Files.exists(local) ? true : null);
        assertThat(Files.readString(local)).contains("Bash(git tag *)");
        Await.value("the first turn's end", WAIT, () -> api.modelCalls().size() >= 2 ? true : null, claude::screen);

        claude.submit("tag it again");
        Await.value("v2", WAIT, () -> GitRepo.git(claude.repo(), "tag").equals("v1\nv2\n") ? true : null,
                claude::screen);
        assertThat(rest(Role.VIEWER).get("/v1/approvals").body().path("items").findValues("session_id").stream()
                .filter(s -> s.asText().equals(session)).count()).as("the second call asked nobody").isEqualTo(1);
    }

    @Test
    void answeredInThePaneIsWithdrawnAtOnceAndALaterDecisionIsRefused() throws Exception {
        String session = start("hook", List.of(Turn.bash("git tag v1", "Tag the release"), Turn.text("Tagged.")),
                b -> b);
        claude.submit("tag the release");
        JsonNode a = awaitPending(session);
        String id = a.path("id").asText();
        claude.answerInPane("1");
        long answered = System.nanoTime();
        JsonNode done = awaitStatus(id, "cancelled");
        System.out.printf("claude %s: answered in the pane, approval withdrawn after %d ms%n",
                RealClis.CLAUDE_VERSION, (System.nanoTime() - answered) / 1_000_000);
        assertThat(done.path("reason").asText()).isEqualTo("answered_in_pane");
        assertThat(GitRepo.git(claude.repo(), "tag")).isEqualTo("v1\n");

        Rest.Reply late = decide(id, Map.of("behavior", "deny", "message", "too late"));
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body().at("/error/message").asText()).contains("answered in the pane");
        assertThat(stack.queryLong("SELECT count(*) FROM audit_log WHERE target = ? AND action = 'approval.decide'",
                id)).as("nobody is recorded as having decided it").isZero();
    }

    @Test
    void keysModeShowsTheCommandFromTheRealDialogAndAnswersIt() throws Exception {
        String command = "touch built.txt && echo $(id -u)";
        String session = start("keys", List.of(Turn.bash(command, "Record the build"), Turn.text("Done.")),
                b -> b);
        claude.submit("record the build");
        JsonNode a = awaitPending(session);
        assertThat(a.at("/tool_input/command").asText()).as("the command, not the model's description")
                .isEqualTo(command);
        assertThat(a.at("/tool_input/description").asText()).isEqualTo("Record the build");
        assertThat(a.path("screen_unreadable").asBoolean()).isFalse();
        assertThat(a.path("cwd").asText()).isEqualTo(claude.repo().toString());

        assertThat(decide(a.path("id").asText(), Map.of("behavior", "allow")).status()).isEqualTo(200);
        awaitStatus(a.path("id").asText(), "allowed");
        Await.value("the command ran", WAIT, () -> Files.exists(claude.repo().resolve("built.txt")) ? true : null,
                claude::screen);
    }

    @Test
    void autoModesStopNeedsAPersonAndTheSessionSaysSo() throws Exception {
        String session = start("hook", List.of(Turn.bash("git tag v1", "Tag the release"), Turn.text("Tagged.")),
                b -> b.permissionMode("auto"));
        claude.submit("tag the release");
        claude.awaitScreen("Auto mode can't check actions", WAIT);
        JsonNode s = Await.value("the session WAITING and needing attention", WAIT, () -> {
            JsonNode now = rest(Role.VIEWER).get("/v1/sessions/" + session).body();
            return "WAITING".equals(now.path("status").asText()) && now.path("needs_attention").asBoolean() ? now
                    : null;
        });
        assertThat(s.path("status").asText()).isEqualTo("WAITING");
        JsonNode notification = Await.value("the agent_needs_input Notification", WAIT, () -> {
            for (JsonNode e : rest(Role.VIEWER).get("/v1/sessions/" + session + "/events").body().path("items")) {
                if ("hook.Notification".equals(e.path("type").asText(e.path("event_type").asText()))) {
                    return e;
                }
            }
            return null;
        });
        assertThat(notification.toString()).contains("agent_needs_input");
        JsonNode after = rest(Role.VIEWER).get("/v1/sessions/" + session).body();
        assertThat(after.path("status").asText()).as("still waiting once the Notification came").isEqualTo("WAITING");
        assertThat(after.path("needs_attention").asBoolean()).isTrue();
    }
}
