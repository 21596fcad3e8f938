package dev.agentcommander.agentd.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Provider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console does when a pane outruns it (tmux's {@code %pause}) and how it keeps the control plane's tail
 * short (keyframes): every screen is an exact cut, at the offset of the bytes sent before it.
 */
class ConsoleFlowControlTest {
    @TempDir
    Path tmp;
    PrivateTmux panes;
    final FakeSessions sessions = new FakeSessions();
    final RecordingOutbound out = new RecordingOutbound();
    ControlModeConsole console;
    String pane;
    String session;

    @BeforeEach
    void start() throws Exception {
        panes = PrivateTmux.start(tmp, 100, 30, "env", "PS1=$ ", "bash", "--norc", "--noprofile");
        console = new ControlModeConsole(panes.tmux(), sessions, out, new ConsoleConfig(
                Duration.ofMillis(3), 16 * 1024, Duration.ofSeconds(2), 4 * 1024, Duration.ZERO));
        pane = panes.firstPane();
        session = sessions.register(pane, Provider.SHELL);
    }

    @AfterEach
    void stop() {
        console.close();
        panes.close();
    }

    private void type(String line) {
        panes.tmux().run("send-keys", "-t", pane, "-l", line);
        panes.tmux().run("send-keys", "-t", pane, "Enter");
    }

    /** Each screen's offset is the number of chunk bytes sent on its subscription before it. */
    private void assertScreensAreCutsAtTheirOffsets(String sub) {
        long bytes = 0;
        int screens = 0;
        for (AgentMessage m : out.all()) {
            if (m instanceof AgentMessage.ConsoleChunk c && c.subscriptionId().equals(sub)) {
                assertThat(c.offset()).as("chunk offset").isEqualTo(bytes);
                bytes += Base64.getDecoder().decode(c.data()).length;
            } else if (m instanceof AgentMessage.Snapshot s && s.subscriptionId().equals(sub)) {
                assertThat(s.cutAt()).as(s.reason() + " screen offset").isEqualTo(bytes);
                screens++;
            }
        }
        assertThat(screens).isPositive();
    }

    private String chunkText(String sub) {
        StringBuilder sb = new StringBuilder();
        out.of(AgentMessage.ConsoleChunk.class, c -> c.subscriptionId().equals(sub)).forEach(c ->
                sb.append(new String(Base64.getDecoder().decode(c.data()), StandardCharsets.UTF_8)));
        return sb.toString();
    }

    @Test
    void aPaneTmuxPausesIsResumedAtOnceWithAResyncScreenAndGoesOnStreaming() {
        console.subscribe(session, "p");
        out.awaitOne(AgentMessage.Snapshot.class, s -> s.subscriptionId().equals("p"));
        type("echo BEFORE-$((40+2))");
        Await.until("BEFORE-42 streamed", Duration.ofSeconds(3), () -> chunkText("p").contains("BEFORE-42"));
        console.pauseForTest(pane);
        AgentMessage.Snapshot resync = out.awaitOne(AgentMessage.Snapshot.class, s -> s.resync(),
                Duration.ofSeconds(3));
        assertThat(console.pauses()).isEqualTo(1);
        assertThat(new String(Base64.getDecoder().decode(resync.data()), StandardCharsets.UTF_8))
                .as("the screen as it is now").contains("BEFORE-42");
        type("echo AFTER-$((40+3))");
        Await.until("AFTER-43 streamed after the resume", Duration.ofSeconds(3),
                () -> chunkText("p").contains("AFTER-43"));
        assertScreensAreCutsAtTheirOffsets("p");
    }

    @Test
    void anUnwatchedPanePausedByTmuxIsResumedWhenSomeoneSubscribes() throws Exception {
        String other = panes.window("bash", "--norc", "--noprofile");
        String otherSession = sessions.register(other, Provider.SHELL);
        console.subscribe(session, "main");
        out.awaitOne(AgentMessage.Snapshot.class, s -> s.subscriptionId().equals("main"));
        console.subscribe(otherSession, "o");
        out.awaitOne(AgentMessage.Snapshot.class, s -> s.subscriptionId().equals("o"));
        console.pauseForTest(other);
        console.unsubscribe(otherSession, "o"); // paused and unwatched: left paused
        console.subscribe(otherSession, "o2");
        out.awaitOne(AgentMessage.Snapshot.class, s -> s.subscriptionId().equals("o2"));
        panes.tmux().run("send-keys", "-t", other, "-l", "echo BACK-$((2*21))");
        panes.tmux().run("send-keys", "-t", other, "Enter");
        Await.until("BACK-42 streamed", Duration.ofSeconds(3), () -> chunkText("o2").contains("BACK-42"));
    }

    @Test
    void aBusyPaneGetsKeyframesEachCutAtItsOffset() {
        console.subscribe(session, "k");
        out.awaitOne(AgentMessage.Snapshot.class, s -> s.subscriptionId().equals("k"));
        // four bursts of ~8 KB with pauses between: each is worth a keyframe, and the pause lets the screen be cut
        // (one burst that fits in the capture's round trip would give a single keyframe on a fast machine)
        type("for j in 1 2 3 4; do for i in $(seq 1 750); do echo line-$j-$i; done; sleep 0.3; done; "
                + "echo DONE-$((1+1))");
        Await.until("DONE-2 streamed", Duration.ofSeconds(10), () -> chunkText("k").contains("DONE-2"));
        List<AgentMessage.Snapshot> keyframes = out.of(AgentMessage.Snapshot.class, s -> s.keyframe());
        assertThat(keyframes).as("a keyframe per 4 KiB or so of ~30 KB").hasSizeGreaterThanOrEqualTo(2);
        assertThat(keyframes).allSatisfy(k -> assertThat(k.cutAt()).isPositive());
        assertScreensAreCutsAtTheirOffsets("k");
        assertThat(out.of(AgentMessage.Snapshot.class, s -> s.resync())).isEmpty();
    }
}
