package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class ControlModeConsoleTest {
    Path tmp;
    TestPanes panes;
    ListOutbound out;
    ControlModeConsole console;
    String pane;
    String session;

    @BeforeEach
    void start() throws Exception {
        tmp = TestPanes.freshDir("console");
        panes = new TestPanes(tmp);
        out = new ListOutbound();
        console = new ControlModeConsole(panes.tmux, panes, out,
                new ControlModeConsole.Config(Duration.ofMillis(3), 16 * 1024));
        pane = panes.firstPane();
        session = panes.register(pane, Provider.SHELL);
    }

    @AfterEach
    void stop() {
        console.close();
        panes.close();
    }

    /** All chunk bytes a subscription received, in offset order, checking offsets are contiguous. */
    private byte[] streamOf(String sub) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (ConsoleChunk c : out.ofType(ConsoleChunk.class, c -> c.subscriptionId().equals(sub))) {
            assertThat(c.offset()).as("offset of chunk").isEqualTo(bytes.size());
            bytes.writeBytes(Base64.getDecoder().decode(c.data()));
        }
        return bytes.toByteArray();
    }

    private String text(String sub) {
        return new String(streamOf(sub), StandardCharsets.UTF_8);
    }

    private boolean snapshotSent(String sub) throws InterruptedException {
        return out.await(l -> l.stream().anyMatch(s -> s.message() instanceof AgentMessage.Snapshot sn
                && sn.subscriptionId().equals(sub)), 3000);
    }

    private void type(String line) {
        panes.tmux.run("send-keys", "-t", pane, "-l", line);
        panes.tmux.run("send-keys", "-t", pane, "Enter");
    }

    @Test
    void subscriberSeesMarkerPrintedInThePaneWithinOneSecond() throws Exception {
        console.subscribe(session, "sub-1");
        assertThat(snapshotSent("sub-1")).isTrue();
        long t0 = System.nanoTime();
        type("printf 'MARK%s\\n' 4711");
        boolean seen = TestPanes.eventually(() -> text("sub-1").contains("MARK4711"), 1000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("marker seen after " + ms + " ms (includes send-keys)");
        assertThat(seen).as("marker within 1 s").isTrue();
    }

    @Test
    void snapshotMatchesCapturePaneAndCarriesSizeAndCursor() throws Exception {
        type("printf '\\033[31mred\\033[0m plain\\n'");
        assertThat(TestPanes.eventually(() -> panes.tmux.run("capture-pane", "-p", "-t", pane).contains("red plain"),
                2000)).isTrue();
        String expected = panes.tmux.run("capture-pane", "-p", "-e", "-J", "-t", pane);
        String[] cursor = panes.tmux.run("display-message", "-p", "-t", pane, "#{cursor_x} #{cursor_y}")
                .trim().split(" ");
        console.subscribe(session, "snap");
        assertThat(snapshotSent("snap")).isTrue();
        AgentMessage.Snapshot snap = out.ofType(AgentMessage.Snapshot.class, s -> true).getFirst();
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
        assertThat(snapshotSent("a") && snapshotSent("b")).isTrue();
        assertThat(panes.controlClients()).isEqualTo(1);
        assertThat(console.subscriberCount(session)).isEqualTo(2);
        type("echo ONE-$((40+2))");
        assertThat(TestPanes.eventually(() -> text("a").contains("ONE-42") && text("b").contains("ONE-42"), 2000))
                .isTrue();

        console.unsubscribe(session, "a");
        int aChunks = out.ofType(ConsoleChunk.class, c -> c.subscriptionId().equals("a")).size();
        type("echo TWO-$((40+3))");
        assertThat(TestPanes.eventually(() -> text("b").contains("TWO-43"), 2000)).as("b keeps streaming").isTrue();
        assertThat(out.ofType(ConsoleChunk.class, c -> c.subscriptionId().equals("a"))).hasSize(aChunks);

        console.unsubscribe(session, "b");
        assertThat(console.subscriberCount(session)).isZero();
        assertThat(console.controlClientCount()).isZero();
        assertThat(TestPanes.eventually(() -> panes.controlClients() == 0, 2000)).as("control client gone").isTrue();
        int total = out.ofType(ConsoleChunk.class, c -> true).size();
        type("echo THREE");
        assertThat(TestPanes.eventually(() -> panes.tmux.run("capture-pane", "-p", "-t", pane).contains("THREE"),
                2000)).isTrue();
        Thread.sleep(100); // a chunk would be flushed within the 3 ms linger; give it ample time to (not) appear
        assertThat(out.ofType(ConsoleChunk.class, c -> true)).hasSize(total);
    }

    @Test
    void binaryAndUtf8OutputCrossIntact() throws Exception {
        console.subscribe(session, "bin");
        assertThat(snapshotSent("bin")).isTrue();
        // every byte 1..255 except LF/CR (the tty maps those), plus UTF-8 text, then an end marker
        type("printf 'BEGIN'; printf \"$(for i in $(seq 1 255); do [ $i -ne 10 ] && [ $i -ne 13 ] && printf '\\\\%03o' $i; done)\";"
                + " printf 'héllo ✻ 日本\\\\ END\\n'");
        assertThat(TestPanes.eventually(() -> text("bin").contains("END\r\n"), 3000)).isTrue();
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
        assertThat(snapshotSent("big")).isTrue();
        type("head -c 300000 /dev/zero | tr '\\0' 'x'; echo; echo DONE-$((1+1))");
        assertThat(TestPanes.eventually(() -> text("big").contains("DONE-2"), 5000)).isTrue();
        List<ConsoleChunk> chunks = out.ofType(ConsoleChunk.class, c -> c.subscriptionId().equals("big"));
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
        String other = panes.newWindow("bash", "--norc", "--noprofile");
        console.subscribe(session, "main");
        assertThat(snapshotSent("main")).isTrue();
        panes.tmux.run("send-keys", "-t", other, "-l", "echo SIBLING-$((2*21))");
        panes.tmux.run("send-keys", "-t", other, "Enter");
        type("echo MINE-$((2*21))");
        assertThat(TestPanes.eventually(() -> text("main").contains("MINE-42"), 2000)).isTrue();
        assertThat(panes.tmux.run("capture-pane", "-p", "-t", other)).contains("SIBLING-42");
        assertThat(out.ofType(ConsoleChunk.class, c -> true)).allSatisfy(c -> {
            assertThat(c.subscriptionId()).isEqualTo("main");
            assertThat(new String(Base64.getDecoder().decode(c.data()), StandardCharsets.UTF_8))
                    .doesNotContain("SIBLING");
        });
    }

    /** tmux before 3.7 segfaults when a pane with queued output is turned off (tmux issue 5054). */
    @Test
    void subscribeAndUnsubscribeWhilePanesFloodNeverCrashesTheTmuxServer() throws Exception {
        String flood = panes.newWindow("bash", "--norc", "--noprofile", "-c", "yes flooding-the-control-client");
        String floodSession = panes.register(flood, Provider.SHELL);
        console.subscribe(session, "steady");
        assertThat(snapshotSent("steady")).isTrue();
        for (int i = 0; i < 30; i++) {
            console.subscribe(floodSession, "f" + i);
            Thread.sleep(20);
            console.unsubscribe(floodSession, "f" + i);
            Thread.sleep(5);
        }
        String serverPid = panes.tmux.run("display-message", "-p", "#{pid}").trim();
        assertThat(ProcessHandle.of(Long.parseLong(serverPid)).map(ProcessHandle::isAlive)).contains(true);
        type("echo STILL-$((40+2))");
        assertThat(TestPanes.eventually(() -> text("steady").contains("STILL-42"), 2000)).isTrue();
    }

    @Test
    void subscriptionsEndWhenTheTmuxSessionGoes() throws Exception {
        panes.tmux.run("new-session", "-d", "-s", "other", "-x", "80", "-y", "24", "bash", "--norc");
        String p2 = panes.tmux.run("list-panes", "-t", "other", "-F", "#{pane_id}").trim();
        String s2 = panes.register(p2, Provider.SHELL);
        console.subscribe(session, "keep");
        console.subscribe(s2, "gone");
        assertThat(snapshotSent("keep") && snapshotSent("gone")).isTrue();
        assertThat(console.controlClientCount()).as("one client per tmux session").isEqualTo(2);
        panes.tmux.run("kill-session", "-t", "other");
        assertThat(TestPanes.eventually(() -> console.subscriberCount(s2) == 0, 2000)).isTrue();
        assertThat(console.controlClientCount()).isEqualTo(1);
        type("echo STILL-$((1+1))");
        assertThat(TestPanes.eventually(() -> text("keep").contains("STILL-2"), 2000)).isTrue();
    }
    @Test
    void snapshotIsAnExactCutNoLineLostOrDoubledBetweenItAndTheChunks() throws Exception {
        type("exec 3<> <(:); for i in $(seq 1 100000); do echo L$i; read -t 0.001 -u 3; done");
        assertThat(TestPanes.eventually(() -> panes.tmux.run("capture-pane", "-p", "-t", pane).contains("L200"),
                3000)).isTrue();
        console.subscribe(session, "cut");
        assertThat(snapshotSent("cut")).isTrue();
        assertThat(TestPanes.eventually(() -> text("cut").split("\n").length > 100, 3000)).isTrue();
        panes.tmux.run("send-keys", "-t", pane, "C-c");
        AgentMessage.Snapshot snap = out.ofType(AgentMessage.Snapshot.class, s -> true).getFirst();
        List<String> screen = ScreenPatterns.tail(new String(Base64.getDecoder().decode(snap.data()),
                StandardCharsets.UTF_8));
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
