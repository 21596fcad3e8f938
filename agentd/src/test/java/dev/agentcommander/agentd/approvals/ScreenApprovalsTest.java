package dev.agentcommander.agentd.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalOutcome;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Only changes of the menu on a pane raise or withdraw approvals (no tmux needed: no decision is typed here). */
class ScreenApprovalsTest {
    private final RecordingOutbound outbound = new RecordingOutbound();

    private ScreenApprovals watcher(ApprovalMode mode) {
        return new ScreenApprovals(new ApprovalBroker(outbound, new RecordingStatus(), null, Clock.systemUTC(), mode,
                Duration.ofSeconds(600), 8));
    }

    @Test
    void aMenuRaisesOneApprovalAChangedMenuReplacesItAndAGoneMenuWithdrawsIt() {
        ScreenApprovals w = watcher(ApprovalMode.KEYS);
        var rm = KeysModeTest.bash("rm -rf build");
        w.observe("s-1", "%3", rm, "/src");
        w.observe("s-1", "%3", rm, "/src");
        w.observe("s-1", "%4", null, "/src");
        assertThat(outbound.of(AgentMessage.ApprovalRequested.class)).hasSize(1);
        String first = outbound.of(AgentMessage.ApprovalRequested.class).get(0).approvalId();

        w.observe("s-1", "%3", KeysModeTest.bash("make"), "/src");
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class))
                .containsExactly(new AgentMessage.ApprovalResolved(first, ApprovalOutcome.CANCELLED, "menu_gone"));
        var requested = outbound.of(AgentMessage.ApprovalRequested.class);
        assertThat(requested).hasSize(2);
        assertThat(requested.get(1).toolInput().path("summary").asText()).isEqualTo("make");

        w.observe("s-1", "%3", null, "/src");
        w.observe("s-1", "%3", null, "/src");
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).containsExactly(
                new AgentMessage.ApprovalResolved(first, ApprovalOutcome.CANCELLED, "menu_gone"),
                new AgentMessage.ApprovalResolved(requested.get(1).approvalId(), ApprovalOutcome.CANCELLED,
                        "menu_gone"));
    }

    @Test
    void hookModeRaisesNoApprovalForAMenuOnScreen() {
        ScreenApprovals w = watcher(ApprovalMode.HOOK);
        w.observe("s-1", "%3", KeysModeTest.bash("ls"), "/src");
        w.observe("s-1", "%3", null, "/src");
        assertThat(outbound.all()).isEmpty();
    }
}
