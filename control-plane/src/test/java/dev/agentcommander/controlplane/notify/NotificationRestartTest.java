package dev.agentcommander.controlplane.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A notification queued by a control plane that stops before it is due is sent by the one that starts after. */
class NotificationRestartTest {
    static final FakeReceivers receivers = new FakeReceivers();
    static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock)
            .withNotifications(receivers.config(Duration.ofSeconds(5), Duration.ofSeconds(60)));

    @Test
    void aControlPlaneRestartBetweenTheRequestAndItsNotificationLosesNone() throws Exception {
        ObjectNode h = cp.createHost("restart-host");
        try (WsClient a = cp.agent(h.get("token").asText(), "restart-host", 0)) {
            a.send(Frames.frame("approval.requested", 1, "{\"approval_id\":\"nz1\",\"session_id\":\"s-z\","
                    + "\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"/src/app/x.txt\",\"content\":\"x\"}}"));
            a.nextOfType("agent.ack");
        }
        cp.close(); // stopped before the notification was due
        assertThat(receivers.received).isEmpty();
        clock.advance(Duration.ofSeconds(6));
        try (TestControlPlane after = cp.replica(clock)) {
            Await.until("sent by the control plane started after", () -> receivers.ok("webhook", "nz1").size() == 1
                    && receivers.ok("ntfy", "nz1").size() == 1 && receivers.ok("slack", "nz1").size() == 1);
            assertThat(receivers.ok("webhook", "nz1").getFirst().json().at("/approval/input").asText())
                    .isEqualTo("/src/app/x.txt");
            Thread.sleep(1000);
            assertThat(receivers.ok("webhook", "nz1")).hasSize(1);
        }
    }
}
