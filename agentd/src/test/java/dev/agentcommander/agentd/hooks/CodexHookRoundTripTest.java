package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Codex PermissionRequest through the real hook script ({@code --provider codex}) → {@code /hooks/codex} →
 * broker → decision → Codex's answer format: allow and deny carry no {@code updatedInput},
 * {@code updatedPermissions} or {@code interrupt} (each makes Codex fail closed), and a decision that asks for
 * one is refused rather than sent as a plain allow.
 */
class CodexHookRoundTripTest {
    static final String BASH_REQUEST = """
            {"session_id":"019a-thread","turn_id":"t-1","cwd":"/src/app","hook_event_name":"PermissionRequest",
             "model":"gpt-5.5","permission_mode":"default","tool_name":"Bash",
             "tool_input":{"command":"touch approved.txt","description":"create a file"}}""";

    final RecordingOutbound outbound = new RecordingOutbound();
    final RecordingStatus status = new RecordingStatus();
    final FakeSessions directory = new FakeSessions();
    @TempDir
    Path tmp;
    ApprovalBroker broker;
    HookServer server;

    void start(Duration timeout) throws Exception {
        directory.add("%5", "s-1");
        broker = new ApprovalBroker(outbound, status, null, Clock.systemUTC(), ApprovalMode.HOOK, timeout, 4)
                .start();
        server = new HookServer(HookServer.Settings.of(tmp.resolve("hooks.sock")).withHeartbeat(Duration.ofMillis(100))
                .withPaneWait(Duration.ZERO), outbound, directory, status, broker);
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    HookScript.Running ask() throws Exception {
        return HookScript.start(server.socketPath().toString(), "%5", BASH_REQUEST.getBytes(), "--provider", "codex");
    }

    String requested() {
        return outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true).approvalId();
    }

    @Test
    void anAllowReachesCodexInItsFormatWithNothingItWouldFailClosedOn() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        AgentMessage.ApprovalRequested req = outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true);
        assertThat(req.toolName()).isEqualTo("Bash");
        assertThat(req.toolInput().path("command").asText()).isEqualTo("touch approved.txt");
        assertThat(outbound.of(AgentMessage.EventsAppend.class).getFirst().data().path("hook_provider").asText())
                .isEqualTo("codex");
        broker.onDecision(HookApprovalRoundTripTest.decision(req.approvalId(), "allow", null, null, null));
        assertThat(hook.result().stdout()).isEqualTo(
                "{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\",\"decision\":{\"behavior\":\"allow\"}}}\n");
        assertThat(outbound.awaitOne(AgentMessage.ApprovalResolved.class, r -> true).outcome())
                .isEqualTo(ApprovalOutcome.ALLOWED);
    }

    @Test
    void aDenyCarriesTheMessageAndNoInterrupt() throws Exception {
        start(Duration.ofSeconds(600));
        HookScript.Running hook = ask();
        broker.onDecision(HookApprovalRoundTripTest.decision(requested(), "deny", "not in this repo", null, null));
        JsonNode d = Json.mapper().readTree(hook.result().stdout()).path("hookSpecificOutput").path("decision");
        assertThat(d).isEqualTo(Json.mapper().readTree("{\"behavior\":\"deny\",\"message\":\"not in this repo\"}"));
    }

    @Test
    void anEditedInputOrAPermissionChangeIsRefusedNeverSentAndTheRequestExpiresEmpty() throws Exception {
        start(Duration.ofSeconds(2));
        HookScript.Running hook = ask();
        String id = requested();
        broker.onDecision(HookApprovalRoundTripTest.decision(id, "allow", null, "{\"command\":\"rm -rf /\"}", null));
        broker.onDecision(HookApprovalRoundTripTest.decision(id, "allow", null, null, "[{\"type\":\"setMode\"}]"));
        assertThat(outbound.of(AgentMessage.EventsAppend.class, e -> e.eventType().equals("approval.decision_refused")))
                .hasSize(2).allSatisfy(e -> assertThat(e.data().path("reason").asText()).contains("Codex"));
        HookScript.Result r = hook.result();
        assertThat(r.stdout()).as("expiry prints nothing: Codex shows its own prompt").isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(outbound.awaitOne(AgentMessage.ApprovalResolved.class, x -> x.approvalId().equals(id)).outcome())
                .isEqualTo(ApprovalOutcome.EXPIRED);
    }

    @Test
    void installHooksMergesOursIntoCodexsHooksJsonAndLeavesTheUsersAlone() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path file = Files.createDirectories(home.resolve(".codex")).resolve("hooks.json");
        Files.writeString(file, "{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"notify-me\"}]}]}}");
        var out = new java.io.ByteArrayOutputStream();
        int rc = new InstallHooks(home, tmp, Map.of(), new java.io.PrintStream(out), System.err)
                .run(java.util.List.of("--provider", "codex", "--hook-command", tmp.resolve("bin/agentd-hook").toString()));
        assertThat(rc).as(out.toString()).isZero();
        ObjectNode root = (ObjectNode) Json.mapper().readTree(Files.readString(file));
        JsonNode perm = root.path("hooks").path("PermissionRequest").get(0);
        assertThat(perm.path("matcher").asText()).isEqualTo("*");
        assertThat(perm.path("hooks").get(0).path("command").asText()).endsWith("agentd-hook --provider codex");
        assertThat(perm.path("hooks").get(0).path("timeout").asInt()).isEqualTo(660);
        assertThat(root.path("hooks").path("Stop")).hasSize(2);
        assertThat(root.path("hooks").path("Stop").get(0).path("hooks").get(0).path("command").asText())
                .isEqualTo("notify-me");
        assertThat(root.path("hooks").has("Notification")).as("an event Codex does not have").isFalse();
        // once more changes nothing; uninstall leaves only the user's own
        new InstallHooks(home, tmp, Map.of(), new java.io.PrintStream(out), System.err).run(java.util.List.of(
                "--provider", "codex", "--hook-command", tmp.resolve("bin/agentd-hook").toString()));
        assertThat(Json.mapper().readTree(Files.readString(file)).path("hooks").path("PermissionRequest")).hasSize(1);
        new InstallHooks(home, tmp, Map.of(), new java.io.PrintStream(out), System.err).run(java.util.List.of(
                "--provider", "codex", "--uninstall"));
        assertThat(Json.mapper().readTree(Files.readString(file))).isEqualTo(Json.mapper().readTree(
                "{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"notify-me\"}]}]}}"));
    }
}
