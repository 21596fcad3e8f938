package dev.agentcommander.agentd.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.AgentMessage.ConsoleChunk;
import dev.agentcommander.schema.Provider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlModeConsoleTest {
    @TempDir
    Path tmp;
    PrivateTmux panes;
    final FakeSessions sessions = new FakeSessions();
    RecordingOutbound out;
    ControlModeConsole console;
    String pane;
    String session;

    @BeforeEach
    void start() throws Exception {
        panes = PrivateTmux.start(tmp, 120, 40, "env", "PS1=$ ", "bash", "--norc", "--noprofile");
        out = new RecordingOutbound();
        console = new ControlModeConsole(panes.tmux(), sessions, out,
                new ConsoleConfig(Duration.ofMillis(3), 16 * 1024));
        pane = panes.firstPane();
        session = sessions.register(pane, Provider.SHELL);
    }

    @AfterEach
    void stop() {
        console.close();
        panes.close();
    }

    /** All chunk bytes a subscription received, in offset order, checking offsets are contiguous. */
    private byte[] streamOf(String sub) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (ConsoleChunk c : out.of(ConsoleChunk.class, c -> c.subscriptionId().equals(sub))) {
            assertThat(c.offset()).as("offset of chunk").isEqualTo(bytes.size());
            bytes.writeBytes(Base64.getDecoder().decode(c.data()));
        }
        return bytes.toByteArray();
    }

    private String text(String sub) {
        return new String(streamOf(sub), StandardCharsets.UTF_8);
    }

    /** Waits (3 s) for the snapshot of subscription {@code sub}. */
    private void awaitSnapshot(String sub) {
        out.awaitOne(AgentMessage.Snapshot.class, sn -> sn.subscriptionId().equals(sub), Duration.ofSeconds(3));
    }

    private void type(String line) {
        panes.tmux().run("send-keys", "-t", pane, "-l", line);
        panes.tmux().run("send-keys", "-t", pane, "Enter");
    }

    @Test
    void subscriberSeesMarkerPrintedInThePaneWithinOneSecond() throws Exception {
        console.subscribe(session, "sub-1");
        awaitSnapshot("sub-1");
        long t0 = System.nanoTime();
        type("printf 'MARK%s\\n' 4711");
        Await.until("marker within 1 s", Duration.ofSeconds(1), () -> text("sub-1").contains("MARK4711"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("marker seen after " + ms + " ms (includes send-keys)");
    }

    @Test
    void snapshotMatchesCapturePaneAndCarriesSizeAndCursor() throws Exception {
        type("printf '\\033[31mred\\033[0m plain\\n'");
        Await.until("red plain on screen", Duration.ofMillis(2000), () -> panes.screen(pane).contains("red plain"));
        String expected = panes.tmux().run("capture-pane", "-p", "-e", "-J", "-t", pane);
        String[] cursor = panes.tmux().run("display-message", "-p", "-t", pane, "#{cursor_x} #{cursor_y}")
                .trim().split(" ");
        console.subscribe(session, "snap");
        awaitSnapshot("snap");
        AgentMessage.Snapshot snap = out.of(AgentMessage.Snapshot.class, s -> true).getFirst();
        assertThat(new String(Base64.getDecoder().decode(snap.data()), StandardCharsets.UTF_8)).isEqualTo(expected)
                .contains("\033[31mred");
        assertThat(snap.cols()).isEqualTo(120);
        assertThat(snap.rows()).isEqualTo(40);
        assertThat(snap.cursorX()).isEqualTo(Integer.parseInt(cursor[0]));
        assertThat(snap.cursorY()).isEqualTo(Integer.parseInt(cursor[1]));
        assertThat(snap.sessionId()).isEqualTo(session);
    }

    @Test
    void twoSubscribersShareOneClientAndTheLastToLeaveStopsCapture() throws Exception {
        console.subscribe(session, "a");
        console.subscribe(session, "b");
        awaitSnapshot("a");
        awaitSnapshot("b");
        assertThat(panes.controlClients()).isEqualTo(1);
        assertThat(console.subscriberCount(session)).isEqualTo(2);
        type("echo ONE-$((40+2))");
        Await.until("ONE-42 streamed to a and b", Duration.ofMillis(2000),
                () -> text("a").contains("ONE-42") && text("b").contains("ONE-42"));

        console.unsubscribe(session, "a");
        int aChunks = out.of(ConsoleChunk.class, c -> c.subscriptionId().equals("a")).size();
        type("echo TWO-$((40+3))");
        Await.until("b keeps streaming", Duration.ofMillis(2000), () -> text("b").contains("TWO-43"));
        assertThat(out.of(ConsoleChunk.class, c -> c.subscriptionId().equals("a"))).hasSize(aChunks);

        console.unsubscribe(session, "b");
        assertThat(console.subscriberCount(session)).isZero();
        assertThat(console.controlClientCount()).isZero();
        Await.until("control client gone", Duration.ofMillis(2000), () -> panes.controlClients() == 0);
        int total = out.of(ConsoleChunk.class, c -> true).size();
        type("echo THREE");
        Await.until("THREE on screen", Duration.ofMillis(2000), () -> panes.screen(pane).contains("THREE"));
        // the barrier: a new subscriber's snapshot, then output streamed to it, come after anything the console
        // could still have sent for THREE (a chunk is flushed within the 3 ms linger)
        console.subscribe(session, "c");
        awaitSnapshot("c");
        type("echo FOUR");
        Await.until("FOUR streamed to the new subscriber", Duration.ofMillis(2000), () -> text("c").contains("FOUR"));
        assertThat(out.of(ConsoleChunk.class, c -> !c.subscriptionId().equals("c"))).hasSize(total);
    }

    @Test
    void binaryAndUtf8OutputCrossIntact() throws Exception {
        console.subscribe(session, "bin");
        awaitSnapshot("bin");
        // every byte 1..255 except LF/CR (the tty maps those), plus UTF-8 text, then an end marker
        type("printf 'BEGIN'; printf \"$(for i in $(seq 1 255); do [ $i -ne 10 ] && [ $i -ne 13 ] && printf '\\\\%03o' $i; done)\";"
                + " printf 'héllo ✻ 日本\\\\ END\\n'");
        Await.until("the END marker streamed", Duration.ofMillis(3000), () -> text("bin").contains("END\r\n"));
        byte[] all = streamOf("bin");
        String latin = new String(all, StandardCharsets.ISO_8859_1);
        int begin = latin.lastIndexOf("BEGIN") + 5;
        byte[] expected = new ByteArrayOutputStream() {
            {
                for (int i = 1; i <= 255; i++) {
                    if (i != 10 && i != 13) {
                        write(i);
                    }
                }
                writeBytes("héllo ✻ 日本\\ END".getBytes(StandardCharsets.UTF_8));
            }
        }.toByteArray();
        byte[] got = java.util.Arrays.copyOfRange(all, begin, begin + expected.length);
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void chatteringPaneIsCoalescedIntoBoundedChunks() throws Exception {
        console.subscribe(session, "big");
        awaitSnapshot("big");
        type("head -c 300000 /dev/zero | tr '\\0' 'x'; echo; echo DONE-$((1+1))");
        Await.until("DONE-2 streamed", Duration.ofMillis(5000), () -> text("big").contains("DONE-2"));
        List<ConsoleChunk> chunks = out.of(ConsoleChunk.class, c -> c.subscriptionId().equals("big"));
        assertThat(chunks).allSatisfy(c -> assertThat(Base64.getDecoder().decode(c.data()).length)
                .isLessThanOrEqualTo(16 * 1024));
        assertThat(streamOf("big").length).isGreaterThan(300000);
        assertThat(chunks.size()).as("chunks for 300 kB").isLessThan(300);
    }

    @Test
    void unknownSessionIsRefused() {
        assertThatThrownBy(() -> console.subscribe("nope", "x")).isInstanceOf(ConsoleException.class)
                .hasMessageContaining("nope");
    }
    @Test
    void siblingPaneWithoutSubscribersSendsNothing() throws Exception {
        String other = panes.window("bash", "--norc", "--noprofile");
        console.subscribe(session, "main");
        awaitSnapshot("main");
        panes.tmux().run("send-keys", "-t", other, "-l", "echo SIBLING-$((2*21))");
        panes.tmux().run("send-keys", "-t", other, "Enter");
        type("echo MINE-$((2*21))");
        Await.until("MINE-42 streamed", Duration.ofMillis(2000), () -> text("main").contains("MINE-42"));
        assertThat(panes.screen(other)).contains("SIBLING-42");
        assertThat(out.of(ConsoleChunk.class, c -> true)).allSatisfy(c -> {
            assertThat(c.subscriptionId()).isEqualTo("main");
            assertThat(new String(Base64.getDecoder().decode(c.data()), StandardCharsets.UTF_8))
                    .doesNotContain("SIBLING");
        });
    }

    /** tmux before 3.7 segfaults when a pane with queued output is turned off (tmux issue 5054). */
    @Test
    void subscribeAndUnsubscribeWhilePanesFloodNeverCrashesTheTmuxServer() throws Exception {
        String flood = panes.window("bash", "--norc", "--noprofile", "-c", "yes flooding-the-control-client");
        String floodSession = sessions.register(flood, Provider.SHELL);
        console.subscribe(session, "steady");
        awaitSnapshot("steady");
        for (int i = 0; i < 30; i++) {
            console.subscribe(floodSession, "f" + i);
            Thread.sleep(20);
            console.unsubscribe(floodSession, "f" + i);
            Thread.sleep(5);
        }
        String serverPid = panes.tmux().run("display-message", "-p", "#{pid}").trim();
        assertThat(ProcessHandle.of(Long.parseLong(serverPid)).map(ProcessHandle::isAlive)).contains(true);
        type("echo STILL-$((40+2))");
        Await.until("STILL-42 streamed", Duration.ofMillis(2000), () -> text("steady").contains("STILL-42"));
    }

    @Test
    void subscriptionsEndWhenTheTmuxSessionGoes() throws Exception {
        panes.tmux().run("new-session", "-d", "-s", "other", "-x", "80", "-y", "24", "bash", "--norc");
        String p2 = panes.tmux().run("list-panes", "-t", "other", "-F", "#{pane_id}").trim();
        String s2 = sessions.register(p2, Provider.SHELL);
        console.subscribe(session, "keep");
        console.subscribe(s2, "gone");
        awaitSnapshot("keep");
        awaitSnapshot("gone");
        assertThat(console.controlClientCount()).as("one client per tmux session").isEqualTo(2);
        panes.tmux().run("kill-session", "-t", "other");
        Await.until("the gone session's subscription dropped", Duration.ofMillis(2000),
                () -> console.subscriberCount(s2) == 0);
        assertThat(console.controlClientCount()).isEqualTo(1);
        type("echo STILL-$((1+1))");
        Await.until("STILL-2 streamed", Duration.ofMillis(2000), () -> text("keep").contains("STILL-2"));
    }
    @Test
    void snapshotIsAnExactCutNoLineLostOrDoubledBetweenItAndTheChunks() throws Exception {
        type("exec 3<> <(:); for i in $(seq 1 100000); do echo L$i; read -t 0.001 -u 3; done");
        Await.until("L200 on screen", Duration.ofMillis(3000), () -> panes.screen(pane).contains("L200"));
        console.subscribe(session, "cut");
        awaitSnapshot("cut");
        Await.until("over 100 lines streamed", Duration.ofMillis(3000), () -> text("cut").split("\n").length > 100);
        panes.tmux().run("send-keys", "-t", pane, "C-c");
        AgentMessage.Snapshot snap = out.of(AgentMessage.Snapshot.class, s -> true).getFirst();
        List<String> screen = new String(Base64.getDecoder().decode(snap.data()), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank()).toList();
        // the snapshot's last line, complete when the cursor already sits at the start of the next one
        String joined = screen.getLast().strip() + (snap.cursorX() == 0 ? "\r\n" : "") + text("cut");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("L(\\d+)\\r\\n").matcher(joined);
        int prev = -1;
        int lines = 0;
        while (m.find()) {
            int n = Integer.parseInt(m.group(1));
            if (prev >= 0) {
                assertThat(n).as("line after L" + prev).isEqualTo(prev + 1);
            }
            prev = n;
            lines++;
        }
        assertThat(lines).isGreaterThan(100);
    }
}
