package dev.agentcommander.agentd.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.panes.ScreenMenu;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys mode against a private tmux server: a decision arrives as keys typed into the stand-in claude's menu, and
 * only while the menu the approval was raised for is still on screen.
 */
class KeysModeTest {
    @TempDir
    Path tmp;
    PrivateTmux server;
    Tmux tmux;
    String pane;
    final RecordingOutbound outbound = new RecordingOutbound();
    final RecordingStatus status = new RecordingStatus();
    ApprovalBroker broker;

    @BeforeEach
    void startTmux() {
        server = PrivateTmux.start(tmp, 80, 24, "cat");
        tmux = server.tmux();
        pane = server.firstPane();
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        server.close();
    }

    ApprovalBroker broker(ApprovalMode mode) {
        broker = new ApprovalBroker(outbound, status, tmux, Clock.systemUTC(), mode, Duration.ofSeconds(600), 8);
        return broker;
    }

    String screen() {
        return server.screen(pane);
    }

    static ServerMessage.ApprovalDecision decide(String id, String behavior, String perms) throws Exception {
        return new ServerMessage.ApprovalDecision(id, ApprovalBehavior.fromWire(behavior), null, null,
                perms == null ? null : Json.mapper().readTree(perms));
    }

    String outcome(String id) {
        return outbound.awaitOne(AgentMessage.ApprovalResolved.class, r -> r.approvalId().equals(id)).outcome().wire();
    }

    /** A Bash dialog as the parser reads one, for panes that do not show it. */
    static ScreenMenu bash(String command) {
        return new ScreenMenu("Bash", command, null, "Do you want to proceed?", List.of("Yes", "No"), true, true);
    }

    /** The dialog on the pane, as the scanner would hand it to the broker. */
    ScreenMenu shown(String p) {
        return ScreenMenu.onScreen(server.screen(p));
    }

    /** A window running the stand-in claude with its permission dialog (Bash, "rm -rf build/ && …") on screen. */
    String menuPane() throws Exception {
        return menuPane("--permission", "1. Yes");
    }

    String menuPane(String mode, String drawn) throws Exception {
        Path standin = tmp.resolve("claude");
        try (InputStream in = getClass().getResourceAsStream("/standins/claude")) {
            Files.copy(in, standin, StandardCopyOption.REPLACE_EXISTING);
        }
        String p = server.window("bash", standin.toString(), mode);
        Await.until("the dialog on screen", Duration.ofSeconds(5), () -> server.screen(p).contains("Esc to cancel")
                && server.screen(p).contains(drawn));
        return p;
    }

    @Test
    void allowTypesOneIntoTheMenuThatIsStillOnScreen() throws Exception {
        broker(ApprovalMode.KEYS);
        String menu = menuPane();
        String id = broker.requestFromScreen("s-1", menu, shown(menu), "/src").orElseThrow();
        assertThat(broker.requestFromScreen("s-1", menu, shown(menu), "/src")).contains(id);
        AgentMessage.ApprovalRequested req = outbound.of(AgentMessage.ApprovalRequested.class).get(0);
        assertThat(req.toolInput().path("command").asText()).as("the command, not the model's description")
                .isEqualTo("rm -rf build/ && echo $(id)");
        assertThat(req.toolInput().path("description").asText()).isEqualTo("Remove the build output");
        assertThat(req.cwd()).isEqualTo("/src");
        assertThat(req.screenUnreadable()).isNull();
        assertThat(outbound.of(AgentMessage.ApprovalRequested.class)).hasSize(1);
        broker.onDecision(decide(id, "allow", null));
        Await.until("the stand-in got 1", Duration.ofSeconds(5),
                () -> server.screen(menu).contains("● Bash(rm -rf build)"));
        assertThat(outcome(id)).isEqualTo("allowed");
        Await.until("ApprovalResolved told to the status detector", Duration.ofSeconds(5),
                () -> status.calls().stream().anyMatch(c -> c.eventName().equals("ApprovalResolved")));
        assertThat(status.calls()).anySatisfy(c -> assertThat(c.eventName()).isEqualTo("ApprovalResolved"));
    }

    @Test
    void denyChoosesTheMenusNoOption() throws Exception {
        broker(ApprovalMode.KEYS);
        String menu = menuPane();
        String no = broker.requestFromScreen("s-1", menu, shown(menu), "/src").orElseThrow();
        broker.onDecision(decide(no, "deny", null));
        Await.until("the stand-in got Escape", Duration.ofSeconds(5),
                () -> server.screen(menu).contains("● Not allowed."));
        assertThat(outcome(no)).isEqualTo("denied");
    }

    @Test
    void alwaysAllowIsNotPressedWithKeysBecauseTheReviewerNeverSawThatOption() throws Exception {
        broker(ApprovalMode.KEYS);
        String menu = menuPane();
        String always = broker.requestFromScreen("s-1", menu, shown(menu), "/src").orElseThrow();
        broker.onDecision(decide(always, "allow", "[{\"type\":\"addRules\"}]"));
        assertThat(outcome(always)).isEqualTo("cancelled");
        assertThat(outbound.of(AgentMessage.EventsAppend.class)).anySatisfy(
                e -> assertThat(e.eventType()).isEqualTo("approval.keys_unsupported"));
        assertThat(server.screen(menu)).contains("1. Yes").doesNotContain("●");
    }

    @Test
    void aDecisionForAMenuNoLongerOnScreenPressesNothing() throws Exception {
        broker(ApprovalMode.KEYS);
        // the person answered at the pane and Claude moved on: the pane shows no menu (or another one)
        String id = broker.requestFromScreen("s-1", pane, bash("make deploy"), "/src").orElseThrow();
        broker.onDecision(decide(id, "allow", null));
        assertThat(outcome(id)).isEqualTo("cancelled");
        assertThat(outbound.of(AgentMessage.EventsAppend.class)).anySatisfy(
                e -> assertThat(e.eventType()).isEqualTo("approval.keys_stale"));
        assertThat(screen().strip()).isEmpty();
        String menu = menuPane();
        String other = broker.requestFromScreen("s-1", menu, bash("make deploy"), "/src").orElseThrow();
        broker.onDecision(decide(other, "allow", null));
        assertThat(outcome(other)).isEqualTo("cancelled");
        assertThat(server.screen(menu)).contains("1. Yes").doesNotContain("●");
    }

    @Test
    void editedInputCannotBeTypedSoNothingIsPressed() throws Exception {
        broker(ApprovalMode.KEYS);
        String id = broker.requestFromScreen("s-1", pane, bash("ls"), "/src").orElseThrow();
        JsonNode edited = Json.mapper().readTree("{\"command\":\"ls -la\"}");
        broker.onDecision(new ServerMessage.ApprovalDecision(id, ApprovalBehavior.ALLOW, null, edited, null));
        assertThat(outcome(id)).isEqualTo("cancelled");
        assertThat(screen().strip()).isEmpty();
    }

    @Test
    void menuGoneOrExpiredWithdrawsTheApproval() throws Exception {
        broker = new ApprovalBroker(outbound, status, tmux, Clock.systemUTC(), ApprovalMode.KEYS,
                Duration.ofMillis(300), 8).start();
        String gone = broker.requestFromScreen("s-1", pane, bash("ls"), "/src").orElseThrow();
        broker.screenPromptGone(pane);
        assertThat(outcome(gone)).isEqualTo("cancelled");
        String late = broker.requestFromScreen("s-1", pane, bash("ls"), "/src").orElseThrow();
        assertThat(outcome(late)).isEqualTo("expired");
        broker.onDecision(decide(late, "allow", null));
        assertThat(screen().strip()).isEmpty();
    }

    @Test
    void hookModeIgnoresScreenMenusAndKeysModeAnswersHooksEmpty() throws Exception {
        assertThat(broker(ApprovalMode.HOOK).requestFromScreen("s-1", pane, bash("ls"), "/src"))
                .isEqualTo(Optional.empty());
        broker.close();
        JsonNode hook = Json.mapper().readTree("{\"hook_event_name\":\"PermissionRequest\",\"tool_name\":\"Bash\"}");
        assertThat(broker(ApprovalMode.KEYS).open(pane, "s-1", hook)).isNull();
        assertThat(outbound.all()).isEmpty();
    }

    @Test
    void bothModePrefersAWaitingHookOverKeys() throws Exception {
        broker(ApprovalMode.BOTH);
        String screenFirst = broker.requestFromScreen("s-1", pane, bash("ls"), "/src").orElseThrow();
        JsonNode hook = Json.mapper().readTree("{\"hook_event_name\":\"PermissionRequest\",\"tool_name\":\"Bash\"}");
        Approval viaHook = broker.open(pane, "s-1", hook);
        assertThat(outcome(screenFirst)).isEqualTo("cancelled");
        assertThat(broker.requestFromScreen("s-1", pane, bash("ls"), "/src")).contains(viaHook.id);
        broker.onDecision(decide(viaHook.id, "allow", null));
        assertThat(new String(viaHook.await(Duration.ofSeconds(5)))).contains("\"allow\"");
        assertThat(screen().strip()).isEmpty();
    }

    @Test
    void autoModesUnnumberedDialogIsAnsweredWithArrowsFromItsCursor() throws Exception {
        broker(ApprovalMode.KEYS);
        String menu = menuPane("--auto-permission", "❯ No");
        ScreenMenu shown = shown(menu);
        assertThat(shown.numbered()).isFalse();
        assertThat(shown.options()).containsExactly("No", "Yes");
        String id = broker.requestFromScreen("s-1", menu, shown, "/src").orElseThrow();
        broker.onDecision(decide(id, "allow", null));
        Await.until("Down, Enter chose Yes", Duration.ofSeconds(5),
                () -> server.screen(menu).contains("● Bash(rm -rf build)"));
        assertThat(outcome(id)).isEqualTo("allowed");
    }

    @Test
    void keysThatDoNotMakeTheDialogGoAreReportedUnconfirmedAndNotAsDecided() throws Exception {
        broker(ApprovalMode.KEYS);
        // a pane that shows the dialog but ignores keys (a frozen Claude): cat of a file holding it
        Path frozen = tmp.resolve("dialog.txt");
        Files.writeString(frozen, DIALOG);
        String p = server.window("bash", "-c", "cat " + frozen + "; exec sleep 60");
        Await.until("the dialog on screen", Duration.ofSeconds(5), () -> server.screen(p).contains("Esc to cancel"));
        String id = broker.requestFromScreen("s-1", p, shown(p), "/src").orElseThrow();
        broker.onDecision(decide(id, "allow", null));
        assertThat(outcome(id)).isEqualTo("cancelled");
        assertThat(outbound.awaitOne(AgentMessage.ApprovalResolved.class, r -> r.approvalId().equals(id)).reason())
                .isEqualTo("keys_unconfirmed");
        assertThat(outbound.of(AgentMessage.EventsAppend.class)).anySatisfy(
                e -> assertThat(e.eventType()).isEqualTo("approval.keys_unconfirmed"));
    }

    @Test
    void anUnreadableDialogIsRaisedAsSuchAndCannotBeAllowedWithKeys() throws Exception {
        broker(ApprovalMode.KEYS);
        ScreenMenu unreadable = new ScreenMenu("unknown", null, null, null, List.of(), true, false);
        String id = broker.requestFromScreen("s-1", pane, unreadable, "/src").orElseThrow();
        AgentMessage.ApprovalRequested req = outbound.of(AgentMessage.ApprovalRequested.class).get(0);
        assertThat(req.screenUnreadable()).isTrue();
        assertThat(req.toolInput().has("command")).isFalse();
        assertThat(req.toolInput().has("summary")).isFalse();
        broker.onDecision(decide(id, "allow", null));
        assertThat(outcome(id)).isEqualTo("cancelled");
        assertThat(outbound.of(AgentMessage.EventsAppend.class)).anySatisfy(
                e -> assertThat(e.eventType()).isEqualTo("approval.keys_unsupported"));
    }

    /** The dialog the stand-in draws, as plain text. */
    private static final String DIALOG = dialog("─".repeat(78), "╌".repeat(78));

    private static String dialog(String rule, String dash) {
        return rule + "\n Bash command\n Remove the build output\n" + dash + "\n rm -rf build/ && echo $(id)\n" + dash
                + "\n This command requires approval\n\n Do you want to proceed?\n ❯ 1. Yes\n   2. Yes, and always"
                + " allow access to build/ from this project\n   3. No\n\n Esc to cancel · Tab to amend\n";
    }
}
