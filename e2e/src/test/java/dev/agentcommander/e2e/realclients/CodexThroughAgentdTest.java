package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.e2e.Rest;
import dev.agentcommander.e2e.Stack;
import dev.agentcommander.e2e.realclients.FakeResponses.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Codex 0.169.0 TUI in a tmux pane ({@code -a on-request -s read-only}) against {@link FakeResponses},
 * whose {@code exec_command} asks for escalation, so Codex draws its own approval dialog; agentd in keys mode
 * raises it with the command read off the screen and answers a REST decision by pressing the option's number.
 */
class CodexThroughAgentdTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final AtomicInteger HOSTS = new AtomicInteger();

    @TempDir
    static Path shared;
    static Stack stack;

    @TempDir
    Path dir;
    FakeResponses api;
    PrivateTmux tmux;
    String pane;
    Path repo;

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
                if (tmux != null) {
                    tmux.close();
                }
            } finally {
                if (api != null) {
                    api.close();
                }
                if (repo != null) {
                    FixedPaths.delete(repo.getParent());
                }
            }
        }
    }

    private static Rest rest(Role role) {
        return stack.rest(role);
    }

    /** Codex with the scripted escalating command, its dialog on screen, and agentd (keys mode) watching it. */
    private String start(String command) throws Exception {
        api = new FakeResponses();
        api.then(new Reply(null, "exec_command", Map.of("cmd", command, "sandbox_permissions", "require_escalated",
                "justification", "Create the build marker")), Reply.text("Done."));
        repo = FixedPaths.create("ac-codex-").resolve("repo");
        Files.createDirectories(repo);
        GitRepo.init(repo);
        CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
        Files.writeString(home.dir().resolve("config.toml"), "\n[projects.\"" + repo + "\"]\ntrust_level = \"trusted\"\n",
                StandardOpenOption.APPEND);
        Map<String, String> env = new java.util.LinkedHashMap<>(home.env());
        env.put("TERM", "xterm-256color");
        tmux = PrivateTmux.with(dir.resolve("tmux")).onlyEnv(env).cwd(repo).size(120, 40).remainOnExit()
                .awaitExitOnClose().start(RealClis.codex().toString(), "-a", "on-request", "-s", "read-only",
                        "run the command");
        pane = tmux.firstPane();
        Await.value("Codex's approval dialog", WAIT, () -> {
            String s = tmux.screen(pane);
            if (s.contains("Use existing model")) {
                tmux.keys(pane, "Down", "Enter"); // the first start's model nudge, before the turn
            }
            return s.contains("Press enter to confirm or esc to cancel") ? s : null;
        }, () -> tmux.screen(pane));
        stack.registerHost("real-codex-" + HOSTS.incrementAndGet());
        stack.useTmuxSocket(Path.of(tmux.socket())).useAgentdStateDir(dir.resolve("agentd-state"));
        stack.agentdConfig.put("approvals_mode", "keys");
        stack.startAgentd();
        return Await.value("agentd to announce Codex's pane", WAIT, () -> {
            for (JsonNode s : rest(Role.VIEWER).get("/v1/sessions?host_id=" + stack.hostId()).body().path("items")) {
                if (pane.equals(s.at("/tmux/pane_id").asText()) && "codex".equalsIgnoreCase(s.path("provider").asText())
                        && !"EXITED".equals(s.path("status").asText())) {
                    return s.path("session_id").asText(s.path("id").asText());
                }
            }
            return null;
        });
    }

    private JsonNode awaitPending(String sessionId) {
        return Await.value("a pending approval for " + sessionId, WAIT, () -> {
            for (JsonNode a : rest(Role.VIEWER).get("/v1/approvals?status=pending").body().path("items")) {
                if (sessionId.equals(a.path("session_id").asText())) {
                    return a;
                }
            }
            return null;
        }, () -> tmux.screen(pane) + "\n--- approvals: " + rest(Role.VIEWER).get("/v1/approvals").body());
    }

    private JsonNode awaitStatus(String approvalId, String status) {
        return Await.value("approval " + approvalId + " " + status, WAIT, () -> {
            JsonNode a = rest(Role.VIEWER).get("/v1/approvals/" + approvalId).body();
            return status.equals(a.path("status").asText()) ? a : null;
        }, () -> tmux.screen(pane));
    }

    private int decide(String approvalId, String behavior) {
        return rest(Role.OPERATOR).post("/v1/approvals/" + approvalId + "/decision", Map.of("behavior", behavior))
                .status();
    }

    @Test
    void keysModeRaisesCodexsOwnDialogWithItsCommandAndAllowRunsIt() throws Exception {
        String command = "touch built.txt && echo $(id -u)";
        String session = start(command);
        JsonNode a = awaitPending(session);
        assertThat(a.path("tool_name").asText()).isEqualTo("Bash");
        assertThat(a.at("/tool_input/command").asText()).isEqualTo(command);
        assertThat(a.at("/tool_input/description").asText()).isEqualTo("Create the build marker");
        assertThat(a.at("/tool_input/question").asText()).isEqualTo("Would you like to run the following command?");
        assertThat(a.path("screen_unreadable").asBoolean()).isFalse();
        assertThat(decide(a.path("id").asText(), "allow")).isEqualTo(200);
        awaitStatus(a.path("id").asText(), "allowed");
        Await.value("the command ran", WAIT, () -> Files.exists(repo.resolve("built.txt")) ? true : null,
                () -> tmux.screen(pane));
        assertThat(tmux.screen(pane)).contains("You approved codex to run");
    }

    @Test
    void keysModeDenyCancelsTheCommandInCodex() throws Exception {
        String session = start("touch denied.txt");
        JsonNode a = awaitPending(session);
        assertThat(decide(a.path("id").asText(), "deny")).isEqualTo(200);
        awaitStatus(a.path("id").asText(), "denied");
        Await.value("Codex says it was cancelled", WAIT,
                () -> tmux.screen(pane).contains("You canceled the request to run touch denied.txt") ? true : null,
                () -> tmux.screen(pane));
        assertThat(repo.resolve("denied.txt")).doesNotExist();
    }
}
