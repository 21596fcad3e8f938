package dev.agentcommander.agentd.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.PaneScanner;
import dev.agentcommander.agentd.panes.PaneStatusDetector;
import dev.agentcommander.agentd.panes.ProviderDetector;
import dev.agentcommander.agentd.panes.ScreenMenu;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.MutableClock;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Provider;
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
 * Keys mode for Codex's on-screen approval: the stand-in codex draws 0.169.0's "Would you like to run the
 * following command?" dialog in a private tmux server and reacts to its keys as the real TUI does; the real
 * scanner and status detector see it, the broker raises the approval with the command and answers it by pressing
 * the option's number, confirmed by the dialog leaving the screen.
 */
class CodexKeysModeTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;
    private final RecordingOutbound out = new RecordingOutbound();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T01:00:00Z"));
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

    private void scan() {
        clock.advance(Duration.ofMillis(600));
        scanner.scanOnce();
    }

    private String codexApproval() throws Exception {
        Path standin = tmp.resolve("codex");
        try (InputStream in = getClass().getResourceAsStream("/standins/codex")) {
            Files.copy(in, standin, StandardCopyOption.REPLACE_EXISTING);
        }
        String pane = server.window(tmp, "bash", standin.toString(), "--approval");
        Await.until("the dialog on screen", Duration.ofSeconds(5),
                () -> server.screen(pane).contains("Press enter to confirm or esc to cancel"));
        return pane;
    }

    private AgentMessage.ApprovalRequested raised() {
        Await.until("approval.requested", Duration.ofSeconds(10), () -> {
            scan();
            return !out.of(AgentMessage.ApprovalRequested.class).isEmpty();
        });
        return out.of(AgentMessage.ApprovalRequested.class).get(0);
    }

    private AgentMessage.ApprovalResolved resolved(String id) {
        return out.awaitOne(AgentMessage.ApprovalResolved.class, r -> r.approvalId().equals(id));
    }

    private static ServerMessage.ApprovalDecision decide(String id, ApprovalBehavior b) {
        return new ServerMessage.ApprovalDecision(id, b, null, null, null);
    }

    @Test
    void theScannerRaisesCodexsDialogWithItsCommandAndAllowPressesTheYesOptionsNumber() throws Exception {
        wire(ApprovalMode.KEYS);
        String pane = codexApproval();
        AgentMessage.ApprovalRequested req = raised();
        for (int i = 0; i < 3; i++) {
            scan(); // the same dialog seen again raises nothing new
        }
        assertThat(out.of(AgentMessage.ApprovalRequested.class)).hasSize(1);
        assertThat(scanner.byPaneId(pane).orElseThrow().provider()).isEqualTo(Provider.CODEX);
        assertThat(req.toolName()).isEqualTo("Bash");
        assertThat(req.toolInput().path("command").asText()).isEqualTo("rm -rf build/ && echo $(id)");
        assertThat(req.toolInput().path("description").asText()).as("Codex's Reason line")
                .isEqualTo("Remove the build output");
        assertThat(req.toolInput().path("question").asText())
                .isEqualTo("Would you like to run the following command?");
        assertThat(req.toolInput().path("options")).hasSize(3);
        assertThat(req.screenUnreadable()).isNull();

        broker.onDecision(decide(req.approvalId(), ApprovalBehavior.ALLOW));
        assertThat(resolved(req.approvalId()))
                .isEqualTo(new AgentMessage.ApprovalResolved(req.approvalId(), ApprovalOutcome.ALLOWED));
        assertThat(server.screen(pane)).as("1 chose 'Yes, proceed', not the lasting option")
                .contains("You approved codex to run rm -rf build/ && echo $(id) this time");
        Await.until("the session no longer waits", Duration.ofSeconds(5), () -> {
            scan();
            return scanner.byPaneId(pane).orElseThrow().status() != SessionStatus.WAITING;
        });
        assertThat(out.of(AgentMessage.ApprovalRequested.class)).hasSize(1);
        assertThat(out.of(AgentMessage.ApprovalResolved.class)).hasSize(1);
    }

    @Test
    void denyPressesTheNoOptionsNumberAndCodexCancelsTheCommand() throws Exception {
        wire(ApprovalMode.KEYS);
        String pane = codexApproval();
        AgentMessage.ApprovalRequested req = raised();
        broker.onDecision(decide(req.approvalId(), ApprovalBehavior.DENY));
        assertThat(resolved(req.approvalId()).outcome()).isEqualTo(ApprovalOutcome.DENIED);
        assertThat(server.screen(pane)).contains("You canceled the request to run rm -rf build/")
                .doesNotContain("You approved");
    }

    @Test
    void allowStillChoosesProceedOnceWhenThePersonMovedTheCursorToTheLastingOption() throws Exception {
        wire(ApprovalMode.KEYS);
        String pane = codexApproval();
        AgentMessage.ApprovalRequested req = raised();
        server.tmux().run("send-keys", "-t", pane, "Down");
        Await.until("cursor on option 2", Duration.ofSeconds(5),
                () -> server.screen(pane).contains("› 2. Yes, and don't ask again"));
        assertThat(ScreenMenu.cursorOnScreen(server.screen(pane))).isEqualTo(1);
        broker.onDecision(decide(req.approvalId(), ApprovalBehavior.ALLOW));
        assertThat(resolved(req.approvalId()).outcome()).isEqualTo(ApprovalOutcome.ALLOWED);
        assertThat(server.screen(pane)).contains("this time").doesNotContain("always run");
    }

    @Test
    void anUnreadableCodexDialogIsRaisedAsSuchAndAllowPressesNothing() throws Exception {
        wire(ApprovalMode.KEYS);
        // Codex's dialog with the command line cut off: the approver cannot see what would run
        Path frozen = tmp.resolve("dialog.txt");
        Files.writeString(frozen, String.join("\n", List.of("  Would you like to run the following command?", "",
                "  Environment: local", "", "› 1. Yes, proceed (y)",
                "  2. No, and tell Codex what to do differently (esc)", "",
                "  Press enter to confirm or esc to cancel", "")));
        String pane = server.window(tmp, "bash", "-c", "cat " + frozen + "; exec sleep 60");
        Await.until("the dialog on screen", Duration.ofSeconds(5),
                () -> server.screen(pane).contains("Press enter to confirm"));
        ScreenMenu shown = ScreenMenu.onScreen(server.screen(pane));
        assertThat(shown.readable()).isFalse();
        String id = broker.requestFromScreen("s-1", pane, shown, "/src").orElseThrow();
        AgentMessage.ApprovalRequested req = out.of(AgentMessage.ApprovalRequested.class).get(0);
        assertThat(req.screenUnreadable()).isTrue();
        assertThat(req.toolInput().has("command")).isFalse();
        broker.onDecision(decide(id, ApprovalBehavior.ALLOW));
        assertThat(resolved(id).reason()).isEqualTo(AgentMessage.ApprovalResolved.KEYS_UNSUPPORTED);
        assertThat(server.screen(pane)).contains("› 1. Yes, proceed (y)");
    }
}
