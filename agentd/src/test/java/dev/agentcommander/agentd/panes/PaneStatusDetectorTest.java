package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.panes.StatusDetector.Verdict;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.MutableClock;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaneStatusDetectorTest {
    private static final Verdict WAITING = new Verdict(SessionStatus.WAITING, true);
    private static final Verdict RUNNING = new Verdict(SessionStatus.RUNNING, false);
    private static final Verdict IDLE = new Verdict(SessionStatus.IDLE, false);

    @TempDir
    Path tmp;
    PrivateTmux panes;
    MutableClock clock;
    PaneStatusDetector detector;

    @BeforeEach
    void start() throws IOException {
        panes = PrivateTmux.start(tmp, 120, 40, "env", "PS1=$ ", "bash", "--norc", "--noprofile");
        clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        detector = new PaneStatusDetector(panes.tmux(), clock, PaneStatusDetector.Config.DEFAULTS);
    }

    @AfterEach
    void stop() {
        panes.close();
    }

    /**
     * Copies a stand-in out of the test resources (the copy may have lost its exec bit) once and returns its path.
     * Copying it again for a second pane could replace the file while the first pane's bash is still opening it.
     */
    private String standin(String name) throws IOException {
        Path to = tmp.resolve(name);
        if (!Files.exists(to)) {
            try (InputStream in = getClass().getResourceAsStream("/standins/" + name)) {
                Files.copy(in, to);
            }
        }
        return to.toString();
    }

    private String startAgent(String name, String... args) throws IOException {
        String[] argv = new String[args.length + 2];
        argv[0] = "bash";
        argv[1] = standin(name);
        System.arraycopy(args, 0, argv, 2, args.length);
        return panes.window(argv);
    }

    private Pane pane(String id) {
        return panes.tmux().listPanes().stream().filter(p -> p.paneId().equals(id)).findFirst().orElseThrow();
    }

    private void waitForScreen(String pane, String text) throws InterruptedException {
        Await.until("pane shows " + text, Duration.ofMillis(3000), () -> panes.screen(pane).contains(text));
    }

    /** Polls like the scanner does: the clock moves one poll (600 ms) before each look. */
    private Verdict poll(String pane, Provider provider) {
        clock.advance(Duration.ofMillis(600));
        return detector.detect(pane(pane), provider);
    }

    private static JsonNode json(String s) throws IOException {
        return Json.mapper().readTree(s);
    }

    @Test
    void claudePermissionMenuOnScreenIsWaitingWithAttention() throws Exception {
        String p = startAgent("claude", "--permission");
        waitForScreen(p, "❯ 1. Yes");
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(WAITING);
    }

    @Test
    void claudeBusyLineIsRunning() throws Exception {
        String p = startAgent("claude", "--busy", "0");
        waitForScreen(p, "tokens · esc to interrupt");
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(RUNNING);
    }

    @Test
    void codexConfirmPromptIsWaitingAndWorkingLineIsRunning() throws Exception {
        String ask = startAgent("codex", "--approval");
        String work = startAgent("codex", "--working", "0");
        waitForScreen(ask, "Press enter to confirm");
        waitForScreen(work, "Working (");
        assertThat(poll(ask, Provider.CODEX)).isEqualTo(WAITING);
        assertThat(poll(work, Provider.CODEX)).isEqualTo(RUNNING);
    }

    @Test
    void agentScreenIsIdleOnlyOnceStableAndRunningWhileItChanges() throws Exception {
        String p = startAgent("claude", "--idle");
        waitForScreen(p, "? for shortcuts");
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE);
        panes.tmux().run("send-keys", "-t", p, "-l", "typing");
        waitForScreen(p, "typing");
        assertThat(poll(p, Provider.CLAUDE)).as("screen changed").isEqualTo(RUNNING);
        assertThat(poll(p, Provider.CLAUDE)).as("one still poll is not enough").isEqualTo(RUNNING);
        assertThat(poll(p, Provider.CLAUDE)).as("1.2 s still, 2 polls").isEqualTo(RUNNING);
        assertThat(poll(p, Provider.CLAUDE)).as("1.8 s still, 3 polls").isEqualTo(IDLE);
    }

    @Test
    void shellIsIdleAtItsPromptAndRunningWithAForegroundChild() throws Exception {
        String p = panes.firstPane();
        Await.until("bash in the foreground", Duration.ofMillis(3000), () -> pane(p).currentCommand().equals("bash"));
        assertThat(poll(p, Provider.SHELL)).isEqualTo(IDLE);
        assertThat(poll(p, Provider.SHELL)).isEqualTo(IDLE);
        panes.tmux().run("send-keys", "-t", p, "-l", "sleep 30");
        panes.tmux().run("send-keys", "-t", p, "Enter");
        Await.until("sleep in the foreground", Duration.ofMillis(3000), () -> pane(p).currentCommand().equals("sleep"));
        assertThat(poll(p, Provider.SHELL)).isEqualTo(RUNNING);
    }

    @Test
    void everyNotificationThatNeedsAPersonIsWaitingWithAttention() throws Exception {
        String p = startAgent("claude", "--idle");
        waitForScreen(p, "? for shortcuts");
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE);
        // auto mode's stop (real Claude Code 2.1.328, golden notification-agent_needs_input.json)
        detector.hookEvent(p, "Notification", json("{\"notification_type\":\"agent_needs_input\",\"message\":"
                + "\"Auto mode can't check actions in this session and needs your choice\"}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(WAITING);
        detector.hookEvent(p, "Stop", json("{}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE);
        // a type this build does not know, whose message says a person is needed
        detector.hookEvent(p, "Notification", json("{\"notification_type\":\"plan_review\",\"message\":"
                + "\"Claude needs your review of the plan\"}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(WAITING);
        detector.hookEvent(p, "Stop", json("{}"));
        detector.hookEvent(p, "Notification", json("{\"notification_type\":\"auth_success\",\"message\":"
                + "\"Authentication successful\"}"));
        assertThat(poll(p, Provider.CLAUDE)).as("says nothing about a person").isEqualTo(IDLE);
        detector.hookEvent(p, "Notification", json("{\"notification_type\":\"idle_prompt\",\"message\":"
                + "\"Claude is waiting for your input\"}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE);
    }

    @Test
    void permissionRequestHookIsWaitingUntilTheApprovalIsResolved() throws Exception {
        String p = startAgent("claude", "--idle");
        waitForScreen(p, "? for shortcuts");
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE);
        detector.hookEvent(p, "PermissionRequest", json("{\"tool_name\":\"Bash\"}"));
        for (int i = 0; i < 4; i++) {
            assertThat(poll(p, Provider.CLAUDE)).as("a still screen never clears a waiting hook").isEqualTo(WAITING);
        }
        detector.hookEvent(p, "ApprovalResolved", json("{\"outcome\":\"allowed\"}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(RUNNING);
        detector.hookEvent(p, "Stop", json("{}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE);
    }

    @Test
    void waitingHookYieldsWhenTheMenuIsAnsweredInThePane() throws Exception {
        String p = startAgent("claude", "--idle");
        waitForScreen(p, "? for shortcuts");
        panes.tmux().run("send-keys", "-t", p, "-l", "/perm");
        panes.tmux().run("send-keys", "-t", p, "Enter");
        waitForScreen(p, "❯ 1. Yes");
        detector.hookEvent(p, "PreToolUse", json("{}"));
        detector.hookEvent(p, "PermissionRequest", json("{}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(WAITING);
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(WAITING);
        panes.tmux().run("send-keys", "-t", p, "1"); // answered locally: the menu goes, the busy line comes
        waitForScreen(p, "esc to interrupt");
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(RUNNING);
    }

    @Test
    void runningHookYieldsToAScreenThatStoppedMoving() throws Exception {
        String p = startAgent("claude", "--idle");
        waitForScreen(p, "? for shortcuts");
        detector.hookEvent(p, "UserPromptSubmit", json("{}"));
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(RUNNING);
        clock.advance(Duration.ofSeconds(31)); // e.g. Esc pressed: no Stop hook ever comes
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE);
    }

    /**
     * Item 7: every hook naming an unknown {@code %N} used to add state that was never removed (3 000 requests,
     * 3 001 entries). Now a flood of made-up panes stays bounded, and a pane the scanner shows keeps its state.
     */
    @Test
    void hooksNamingPanesThatNeverAppearKeepBoundedState() throws Exception {
        String p = startAgent("claude", "--idle");
        waitForScreen(p, "? for shortcuts");
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(IDLE); // the scanner has shown us this pane
        detector.hookEvent(p, "PermissionRequest", json("{}"));
        for (int i = 0; i < 3000; i++) {
            detector.hookEvent("%" + (10_000 + i), "UserPromptSubmit", json("{}"));
        }
        assertThat(detector.trackedPanes()).isLessThanOrEqualTo(PaneStatusDetector.MAX_UNCONFIRMED + 1);
        assertThat(poll(p, Provider.CLAUDE)).as("the real pane's hook verdict survived the flood").isEqualTo(WAITING);
        detector.forget(p);
        assertThat(detector.trackedPanes()).isLessThanOrEqualTo(PaneStatusDetector.MAX_UNCONFIRMED);
    }

    @Test
    void aHookJustBeforeAPanesFirstScanStillCounts() throws Exception {
        String p = startAgent("claude", "--idle");
        waitForScreen(p, "? for shortcuts");
        detector.hookEvent(p, "PermissionRequest", json("{}")); // Claude started a moment ago: no scan yet
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(WAITING);
        for (int i = 0; i < 3000; i++) { // once scanned it is no longer among the unconfirmed a flood pushes out
            detector.hookEvent("%" + (10_000 + i), "Stop", json("{}"));
        }
        assertThat(poll(p, Provider.CLAUDE)).isEqualTo(WAITING);
    }

    @Test
    void sessionEndIsExitedWhileTheShellIsBack() throws Exception {
        String p = panes.firstPane();
        Await.until("bash in the foreground", Duration.ofMillis(3000), () -> pane(p).currentCommand().equals("bash"));
        detector.hookEvent(p, "SessionEnd", json("{}"));
        assertThat(poll(p, Provider.CLAUDE).status()).isEqualTo(SessionStatus.EXITED);
    }
}
