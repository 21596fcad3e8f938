package dev.agentcommander.agentd.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real Claude Code does not end a waiting PermissionRequest hook when the person answers the dialog in the pane
 * (docs/real-clients.md). The broker ends the approval itself from the signals Claude does give, with payloads
 * as real Claude Code 2.1.328 sent them (the e2e golden files), and the held hook is released with nothing.
 */
class AnsweredInPaneTest {
    private static final Path GOLDEN = Path.of("..", "e2e", "src", "test", "resources", "golden", "claude-2.1.328");
    private static final String PANE = "%7";
    private final RecordingOutbound outbound = new RecordingOutbound();
    private final ApprovalBroker broker = new ApprovalBroker(outbound, new RecordingStatus(), null, ApprovalMode.HOOK);

    @AfterEach
    void close() {
        broker.close();
    }

    /** A golden payload with the scrubbed placeholders made real again (one session, one prompt). */
    static ObjectNode golden(String file) throws Exception {
        String text = Files.readString(GOLDEN.resolve(file)).replace("<uuid>", "0f8e1b2c-3d4a-4b5c-8d6e-7f8091a2b3c4")
                .replace("<repo>", "/tmp/ac-claude-test/repo").replace("<config>", "/tmp/config");
        return (ObjectNode) Json.mapper().readTree(text);
    }

    private Approval permissionRequest() throws Exception {
        broker.hookEvent(PANE, "PreToolUse", golden("pre-tool-use-bash.json"));
        return broker.open(PANE, "s_1", golden("permission-request-bash.json"));
    }

    private AgentMessage.ApprovalResolved resolved(Approval a) {
        return outbound.awaitOne(AgentMessage.ApprovalResolved.class, r -> r.approvalId().equals(a.id));
    }

    @Test
    void thePostToolUseOfTheSameToolCallEndsTheApprovalAnsweredInThePaneAndReleasesTheHookEmpty() throws Exception {
        Approval a = permissionRequest();
        AgentMessage.ApprovalRequested req = outbound.of(AgentMessage.ApprovalRequested.class).get(0);
        assertThat(req.toolUseId()).as("taken from the PreToolUse: PermissionRequest has none")
                .isEqualTo("toolu_fake_0001");
        assertThat(req.promptId()).isEqualTo("0f8e1b2c-3d4a-4b5c-8d6e-7f8091a2b3c4");

        broker.hookEvent(PANE, "PostToolUse", golden("post-tool-use-bash.json"));
        assertThat(a.await(Duration.ofSeconds(1))).as("the hook is answered with nothing").isEmpty();
        assertThat(resolved(a)).isEqualTo(new AgentMessage.ApprovalResolved(a.id, ApprovalOutcome.CANCELLED,
                "answered_in_pane"));
        assertThat(broker.waitingCount()).isZero();

        // a decision arriving afterwards changes nothing and is not reported as decided
        broker.onDecision(new ServerMessage.ApprovalDecision(a.id, ApprovalBehavior.ALLOW, null, null, null));
        broker.finish(a, true);
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).hasSize(1);
    }

    @Test
    void aPostToolUseFailureCountsAndAnotherToolCallDoesNot() throws Exception {
        Approval a = permissionRequest();
        ObjectNode other = golden("post-tool-use-bash.json");
        other.put("tool_use_id", "toolu_fake_0099");
        broker.hookEvent(PANE, "PostToolUse", other);
        broker.hookEvent("%8", "PostToolUse", golden("post-tool-use-bash.json"));
        assertThat(a.await(Duration.ofMillis(100))).as("another call, another pane: still waiting").isNull();

        ObjectNode failure = golden("post-tool-use-failure-bash.json");
        failure.put("tool_use_id", "toolu_fake_0001");
        broker.hookEvent(PANE, "PostToolUseFailure", failure);
        assertThat(resolved(a).reason()).isEqualTo("answered_in_pane");
    }

    @Test
    void withoutAToolUseIdTheSameSessionToolAndInputMatch() throws Exception {
        Approval a = broker.open(PANE, "s_1", golden("permission-request-bash.json")); // no PreToolUse hook
        assertThat(outbound.of(AgentMessage.ApprovalRequested.class).get(0).toolUseId()).isNull();
        ObjectNode post = golden("post-tool-use-bash.json");
        ((ObjectNode) post.get("tool_input")).put("command", "git tag v2");
        broker.hookEvent(PANE, "PostToolUse", post);
        assertThat(a.await(Duration.ofMillis(100))).isNull();
        broker.hookEvent(PANE, "PostToolUse", golden("post-tool-use-bash.json"));
        assertThat(resolved(a).reason()).isEqualTo("answered_in_pane");
    }

    @Test
    void aNewPromptOrTheTurnsStopEndsIt() throws Exception {
        Approval a = permissionRequest();
        broker.hookEvent(PANE, "UserPromptSubmit", golden("user-prompt-submit.json"));
        assertThat(a.await(Duration.ofMillis(100))).as("the prompt the request belongs to").isNull();
        ObjectNode next = golden("user-prompt-submit.json");
        next.put("prompt_id", "11111111-2222-4333-8444-555555555555");
        broker.hookEvent(PANE, "UserPromptSubmit", next);
        assertThat(resolved(a).reason()).isEqualTo("answered_in_pane");

        Approval b = permissionRequest();
        broker.hookEvent(PANE, "Stop", golden("stop.json"));
        assertThat(resolved(b).reason()).isEqualTo("answered_in_pane");
    }

    @Test
    void theDialogLeavingTheScreenForTwoPollsEndsIt() throws Exception {
        Approval a = permissionRequest();
        broker.paneDialog(PANE, false);
        broker.paneDialog(PANE, false);
        assertThat(a.await(Duration.ofMillis(50))).as("no dialog ever seen: nothing to conclude").isNull();
        broker.paneDialog(PANE, true);
        broker.paneDialog(PANE, false);
        assertThat(a.await(Duration.ofMillis(50))).as("one poll without it may be a redraw").isNull();
        broker.paneDialog(PANE, true);
        broker.paneDialog(PANE, false);
        broker.paneDialog(PANE, false);
        assertThat(resolved(a).reason()).isEqualTo("answered_in_pane");
    }

    @Test
    void aHookThatWentAwayIsCancelledHookGoneAndADecidedOneToo() throws Exception {
        Approval a = permissionRequest();
        broker.finish(a, false);
        assertThat(resolved(a)).isEqualTo(new AgentMessage.ApprovalResolved(a.id, ApprovalOutcome.CANCELLED,
                "hook_gone"));
        Approval b = permissionRequest();
        broker.onDecision(new ServerMessage.ApprovalDecision(b.id, ApprovalBehavior.ALLOW, null, null, null));
        broker.finish(b, false);
        assertThat(resolved(b).reason()).isEqualTo("hook_gone");
    }

    @Test
    void theApprovalSaysWhatEachSuggestionReallyDoes() throws Exception {
        permissionRequest();
        JsonNode choices = outbound.of(AgentMessage.ApprovalRequested.class).get(0).permissionChoices();
        assertThat(choices).hasSize(1);
        assertThat(choices.get(0).path("stops_asking").asBoolean()).isTrue();
        assertThat(choices.get(0).path("label").asText())
                .isEqualTo("Always allow Bash(git tag *) in this project (.claude/settings.local.json)");
    }
}
