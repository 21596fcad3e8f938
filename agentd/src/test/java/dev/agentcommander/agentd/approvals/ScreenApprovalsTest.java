package dev.agentcommander.agentd.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.panes.ScreenMenu;
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
        ScreenMenu rm = new ScreenMenu("Bash", "rm -rf build");
        w.observe("s-1", "%3", rm);
        w.observe("s-1", "%3", rm);
        w.observe("s-1", "%4", null);
        assertThat(outbound.of(AgentMessage.ApprovalRequested.class)).hasSize(1);
        String first = outbound.of(AgentMessage.ApprovalRequested.class).get(0).approvalId();

        w.observe("s-1", "%3", new ScreenMenu("Bash", "make"));
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class))
                .containsExactly(new AgentMessage.ApprovalResolved(first, ApprovalOutcome.CANCELLED));
        var requested = outbound.of(AgentMessage.ApprovalRequested.class);
        assertThat(requested).hasSize(2);
        assertThat(requested.get(1).toolInput().path("summary").asText()).isEqualTo("make");

        w.observe("s-1", "%3", null);
        w.observe("s-1", "%3", null);
        assertThat(outbound.of(AgentMessage.ApprovalResolved.class)).containsExactly(
                new AgentMessage.ApprovalResolved(first, ApprovalOutcome.CANCELLED),
                new AgentMessage.ApprovalResolved(requested.get(1).approvalId(), ApprovalOutcome.CANCELLED));
    }

    @Test
    void hookModeRaisesNoApprovalForAMenuOnScreen() {
        ScreenApprovals w = watcher(ApprovalMode.HOOK);
        w.observe("s-1", "%3", new ScreenMenu("Bash", "ls"));
        w.observe("s-1", "%3", null);
        assertThat(outbound.all()).isEmpty();
    }
}
