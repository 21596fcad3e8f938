package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ServerMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java fallback of the hook command keeps the script's contract. */
class HookCommandTest {
    @TempDir
    Path tmp;

    @Test
    void javaFallbackDeliversTheDecisionAndFailsSilently() throws Exception {
        RecordingOutbound outbound = new RecordingOutbound();
        RecordingStatus status = new RecordingStatus();
        FakeSessions directory = new FakeSessions();
        directory.add("%9", "s-9");
        ApprovalBroker broker = new ApprovalBroker(outbound, status, null, Clock.systemUTC(), ApprovalMode.HOOK,
                Duration.ofSeconds(600), 4).start();
        HookServer server = new HookServer(HookServer.Settings.of(tmp.resolve("hooks.sock"))
                .withHeartbeat(Duration.ofMillis(100)).withPaneWait(Duration.ZERO), outbound, directory, status, broker);
        server.start();
        String socket = server.socketPath().toString();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> HookCommand.run(
                    List.of("--socket", socket),
                    new ByteArrayInputStream(HookApprovalRoundTripTest.EDIT_REQUEST.getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true), Map.of("TMUX_PANE", "%9")));
            AgentMessage.ApprovalRequested req = outbound.awaitOne(AgentMessage.ApprovalRequested.class, r -> true);
            assertThat(req.sessionId()).isEqualTo("s-9");
            broker.onDecision(new ServerMessage.ApprovalDecision(req.approvalId(), ApprovalBehavior.DENY, "no", null, null));
            assertThat(exit.get()).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"behavior\":\"deny\"").contains("\"no\"");
        } finally {
            server.close();
            broker.close();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(HookCommand.run(List.of("--socket", socket),
                new ByteArrayInputStream(HookApprovalRoundTripTest.EDIT_REQUEST.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true), Map.of())).isZero();
        assertThat(out.size()).isZero();
    }
}
