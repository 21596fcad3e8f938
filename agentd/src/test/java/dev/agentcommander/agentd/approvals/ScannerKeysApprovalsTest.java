package dev.agentcommander.agentd.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.PaneScanner;
import dev.agentcommander.agentd.panes.PaneStatusDetector;
import dev.agentcommander.agentd.panes.ProviderDetector;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.MutableClock;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.SessionStatus;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys-mode approvals from the screen, end to end below the link: a stand-in Claude draws its permission menu in
 * a private tmux server, the real scanner and status detector see it, the broker raises the approval and answers
 * it by typing into the pane.
 */
class ScannerKeysApprovalsTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;
    private final RecordingOutbound out = new RecordingOutbound();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
    private ApprovalBroker broker;
    private PaneScanner scanner;

    @BeforeEach
    void start() {
        server = PrivateTmux.start(tmp);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        server.close();
    }

    private void wire(ApprovalMode mode) {
        PaneStatusDetector detector = new PaneStatusDetector(server.tmux(), clock, PaneStatusDetector.Config.DEFAULTS);
        broker = new ApprovalBroker(out, detector, server.tmux(), clock, mode, Duration.ofSeconds(600), 8);
        scanner = new PaneScanner(server.tmux(), out, detector, new ScreenApprovals(broker),
                new ProviderDetector(Path.of("/proc")), new GitInfo(Duration.ofSeconds(30), clock), new SessionIds(),
                tmp.resolve("state"), clock, Duration.ofSeconds(1));
    }

    /** One scanner poll, the clock one poll further (so every poll captures the screen afresh). */
    private void scan() {
        clock.advance(Duration.ofMillis(600));
        scanner.scanOnce();
    }

    private String claudeMenu() throws Exception {
        Path standin = tmp.resolve("claude");
        try (InputStream in = getClass().getResourceAsStream("/standins/claude")) {
            Files.copy(in, standin, StandardCopyOption.REPLACE_EXISTING);
        }
        return server.window(tmp, "bash", standin.toString(), "--permission");
    }

    private String screen(String pane) {
        return server.screen(pane);
    }

    private List<AgentMessage.ApprovalRequested> requested() {
        return out.of(AgentMessage.ApprovalRequested.class);
    }

    @Test
    void keysModeRaisesOneApprovalForTheMenuAndAllowTypesOneIntoThePane() throws Exception {
        wire(ApprovalMode.KEYS);
        String pane = claudeMenu();
        Await.until("approval.requested", Duration.ofSeconds(10), () -> {
            scan();
            return !requested().isEmpty();
        });
        for (int i = 0; i < 3; i++) {
            scan(); // the same menu seen again raises nothing new
        }
        assertThat(requested()).hasSize(1);
        AgentMessage.ApprovalRequested req = requested().get(0);
        String sessionId = scanner.byPaneId(pane).orElseThrow().sessionId();
        assertThat(req.sessionId()).isEqualTo(sessionId);
        assertThat(req.toolName()).isEqualTo("Bash");
        assertThat(req.toolInput().path("command").asText()).as("the command from the dialog, not its description")
                .isEqualTo("rm -rf build/ && echo $(id)");
        assertThat(req.cwd()).isEqualTo(scanner.byPaneId(pane).orElseThrow().cwd());
        int waitingUpsert = indexOf(m -> m instanceof AgentMessage.SessionsUpsert u
                && u.session().sessionId().equals(sessionId) && u.session().status() == SessionStatus.WAITING);
        assertThat(waitingUpsert).as("the WAITING session is announced before its approval")
                .isNotNegative().isLessThan(out.indexOf(req));

        broker.onDecision(new ServerMessage.ApprovalDecision(req.approvalId(), ApprovalBehavior.ALLOW, null, null, null));
        Await.until("the stand-in got 1", Duration.ofSeconds(5),
                () -> screen(pane).contains("● Bash(rm -rf build)"));
        // resolved once the keys made the dialog leave the screen (confirmed, not assumed)
        assertThat(out.awaitOne(AgentMessage.ApprovalResolved.class, r -> r.approvalId().equals(req.approvalId())))
                .isEqualTo(new AgentMessage.ApprovalResolved(req.approvalId(), ApprovalOutcome.ALLOWED));
        assertThat(out.of(AgentMessage.ApprovalResolved.class)).hasSize(1);
        Await.until("menu gone", Duration.ofSeconds(5), () -> {
            scan();
            return scanner.byPaneId(pane).orElseThrow().status() != SessionStatus.WAITING;
        });
        assertThat(requested()).hasSize(1);
        assertThat(out.of(AgentMessage.ApprovalResolved.class)).hasSize(1);
    }

    @Test
    void aMenuAnsweredInThePaneWithdrawsItsApproval() throws Exception {
        wire(ApprovalMode.BOTH);
        String pane = claudeMenu();
        Await.until("approval.requested", Duration.ofSeconds(10), () -> {
            scan();
            return !requested().isEmpty();
        });
        String id = requested().get(0).approvalId();
        server.tmux().run("send-keys", "-t", pane, "Escape");
        Await.until("approval cancelled", Duration.ofSeconds(5), () -> {
            scan();
            return out.of(AgentMessage.ApprovalResolved.class)
                    .contains(new AgentMessage.ApprovalResolved(id, ApprovalOutcome.CANCELLED, "menu_gone"));
        });
        assertThat(screen(pane)).contains("Not allowed.");
    }

    @Test
    void hookModeRaisesNoApprovalFromTheScreen() throws Exception {
        wire(ApprovalMode.HOOK);
        String pane = claudeMenu();
        Await.until("session WAITING", Duration.ofSeconds(10), () -> {
            scan();
            return scanner.byPaneId(pane).map(s -> s.status() == SessionStatus.WAITING).orElse(false);
        });
        scan();
        assertThat(scanner.byPaneId(pane).orElseThrow().needsAttention()).isTrue();
        assertThat(requested()).isEmpty();
        assertThat(broker.waitingCount()).isZero();
    }

    private int indexOf(java.util.function.Predicate<AgentMessage> p) {
        List<AgentMessage> all = out.all();
        for (int i = 0; i < all.size(); i++) {
            if (p.test(all.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
