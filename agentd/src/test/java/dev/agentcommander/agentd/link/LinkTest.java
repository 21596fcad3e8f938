package dev.agentcommander.agentd.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.testkit.FakeControlPlane;
import dev.agentcommander.agentd.testkit.MutableClock;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.Backoff;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkTest {
    @TempDir
    Path state;

    private Outbox outbox;
    private Link link;

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
        if (outbox != null) {
            outbox.close();
        }
    }

    private static AgentMessage event(int i) {
        return new AgentMessage.EventsAppend("s1", "test", Json.mapper().createObjectNode().put("i", i));
    }

    @Test
    void resendsUnackedMessagesAfterReconnectInOrderWithinTheWindow() throws Exception {
        outbox = new Outbox(state, 1 << 30, Clock.systemUTC());
        for (int i = 1; i <= 5; i++) {
            outbox.send(event(i));
        }
        FakeControlPlane server = new FakeControlPlane();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        List<ServerMessage.Command> commands = new ArrayList<>();
        link = new Link(new Link.Settings(URI.create("ws://x/v1/agent"), "tok", "box", "0.1", 2), server,
                outbox, commands::add, d -> { }, Backoff.link(new Random(1)), clock);
        link.start();
        FakeControlPlane.Conn conn = server.awaitConnection();
        assertThat(server.token()).isEqualTo("tok");
        var hello = server.next();
        assertThat(hello.type()).isEqualTo("agent.hello");
        assertThat(((AgentMessage.Hello) hello.message()).lastAckedSeq()).isEqualTo(0);
        conn.send(new ServerMessage.Welcome(2, "test", "h1"));
        assertThat(server.nextSequenced().seq()).isEqualTo(3);
        assertThat(server.nextSequenced().seq()).isEqualTo(4);
        // window of 2: nothing more until an ack. The barrier: a heartbeat falls due; the link sends it from the
        // same loop that would have sent seq 5, so everything it sent before the heartbeat is in front of it
        clock.advance(Link.HEARTBEAT);
        var beforeAck = server.next();
        assertThat(beforeAck.type()).as("the frame after seq 4, before any ack").isEqualTo("agent.heartbeat");
        AgentMessage.Heartbeat beat = (AgentMessage.Heartbeat) beforeAck.message();
        assertThat(beat.outboxBacklog()).as("5 in the outbox, 2 acked by the welcome").isEqualTo(3);
        assertThat(beat.rssBytes()).as("this JVM's own RSS").isGreaterThan(1 << 20);
        conn.send(new ServerMessage.Ack(4));
        assertThat(server.nextSequenced().seq()).isEqualTo(5);
        assertThat(outbox.ackedSeq()).isEqualTo(4);
        long live = outbox.send(event(6));
        assertThat(server.nextSequenced().seq()).isEqualTo(live);

        conn.send(new ServerMessage.Command("c1", "interrupt",
                Json.mapper().createObjectNode().put("session_id", "s1")));
        conn.sendText("{not json");
        assertThat(commands).extracting(ServerMessage.Command::commandId).containsExactly("c1");

        // the link drops; the server's record (4) wins and 5, 6 are sent again
        server.clearReceived();
        conn.close(1006, "gone");
        FakeControlPlane.Conn conn2 = server.awaitConnection();
        var hello2 = server.next();
        assertThat(((AgentMessage.Hello) hello2.message()).lastAckedSeq()).isEqualTo(4);
        conn2.send(new ServerMessage.Welcome(4, "test", "h1"));
        assertThat(server.nextSequenced().seq()).isEqualTo(5);
        assertThat(server.nextSequenced().seq()).isEqualTo(6);
    }

    private static AgentMessage chunk(int i) {
        return new AgentMessage.ConsoleChunk("s1", "sub1", i, java.util.Base64.getEncoder()
                .encodeToString(("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Asserts nothing more was sent: a heartbeat falls due and is the next frame (see the test above). */
    private static void nothingMoreUntilAnAck(FakeControlPlane server, MutableClock clock) throws Exception {
        clock.advance(Link.HEARTBEAT);
        assertThat(server.next().type()).as("the next frame before an ack").isEqualTo("agent.heartbeat");
    }

    @Test
    void consoleOutputKeepsFlowingWhileStoredMessagesFillTheWindowUpToFourWindowsInFlight() throws Exception {
        outbox = new Outbox(state, 1 << 30, Clock.systemUTC());
        outbox.send(event(1));
        outbox.send(event(2));
        for (int i = 3; i <= 10; i++) {
            outbox.send(chunk(i));
        }
        outbox.send(event(11));
        FakeControlPlane server = new FakeControlPlane();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        link = new Link(new Link.Settings(URI.create("ws://x/v1/agent"), "tok", "box", "0.1", 2), server,
                outbox, c -> { }, d -> { }, Backoff.link(new Random(1)), clock);
        link.start();
        FakeControlPlane.Conn conn = server.awaitConnection();
        assertThat(server.next().type()).isEqualTo("agent.hello");
        conn.send(new ServerMessage.Welcome(0, "test", "h1"));
        // two unacked events fill the window of 2; the console chunks behind them still go, up to 4 × 2 in flight
        for (long seq = 1; seq <= 8; seq++) {
            assertThat(server.nextSequenced().seq()).isEqualTo(seq);
        }
        nothingMoreUntilAnAck(server, clock);
        conn.send(new ServerMessage.Ack(2));
        assertThat(server.nextSequenced().seq()).isEqualTo(9);
        assertThat(server.nextSequenced().seq()).isEqualTo(10);
        nothingMoreUntilAnAck(server, clock); // 3..10 in flight: four windows
        conn.send(new ServerMessage.Ack(10));
        assertThat(server.nextSequenced().seq()).isEqualTo(11);

        // two stored messages unacked: the next stored one waits, and so does the console chunk behind it (in order)
        outbox.send(event(12));
        assertThat(server.nextSequenced().seq()).isEqualTo(12);
        outbox.send(event(13));
        outbox.send(chunk(14));
        nothingMoreUntilAnAck(server, clock);
        conn.send(new ServerMessage.Ack(11));
        assertThat(server.nextSequenced().seq()).isEqualTo(13);
        assertThat(server.nextSequenced().seq()).isEqualTo(14);
    }

    /** A payload whose encoding parks inside {@link Outbox#send} (which encodes under the outbox's lock). */
    public static final class SlowToEncode {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        public int getValue() throws InterruptedException {
            entered.countDown();
            release.await();
            return 1;
        }
    }

    @Test
    void anAckReleasesTheSendWindowWhileTheOutboxIsStillBusyRecordingIt() throws Exception {
        outbox = new Outbox(state, 1 << 30, Clock.systemUTC());
        for (int i = 1; i <= 3; i++) {
            outbox.send(event(i));
        }
        FakeControlPlane server = new FakeControlPlane();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        link = new Link(new Link.Settings(URI.create("ws://x/v1/agent"), "tok", "box", "0.1", 1), server,
                outbox, c -> { }, d -> { }, Backoff.link(new Random(1)), clock);
        link.start();
        FakeControlPlane.Conn conn = server.awaitConnection();
        assertThat(server.next().type()).isEqualTo("agent.hello");
        conn.send(new ServerMessage.Welcome(0, "test", "h1"));
        assertThat(server.nextSequenced().seq()).isEqualTo(1);
        nothingMoreUntilAnAck(server, clock); // a window of 1

        // the tmux reader appends (the outbox's lock held) while the ack arrives; the outbox's side of the ack
        // waits for that lock (or, on a busy disk, for the acked file's fsyncs): the window must not wait with it
        SlowToEncode slow = new SlowToEncode();
        Thread appender = Thread.ofVirtual().start(() -> outbox.send(new AgentMessage.EventsAppend("s1", "test",
                new com.fasterxml.jackson.databind.node.POJONode(slow))));
        Thread ackReader = null;
        try {
            assertThat(slow.entered.await(20, TimeUnit.SECONDS)).as("an append holds the outbox").isTrue();
            ackReader = Thread.ofVirtual().start(() -> conn.send(new ServerMessage.Ack(1)));
            assertThat(server.nextSequenced().seq()).as("sent on the ack, the append still running").isEqualTo(2);
        } finally {
            slow.release.countDown();
            appender.join(TimeUnit.SECONDS.toMillis(20));
            if (ackReader != null) {
                ackReader.join(TimeUnit.SECONDS.toMillis(20));
            }
        }
        assertThat(outbox.ackedSeq()).as("the outbox records the ack once it can").isEqualTo(1);
    }

    @Test
    void readsRssFromProcStatusInBytesAndNothingWithoutIt() throws Exception {
        Path status = state.resolve("status");
        java.nio.file.Files.writeString(status, "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t   71680 kB\nThreads:\t40\n");
        assertThat(Link.rssBytes(status)).isEqualTo(71680L * 1024);
        java.nio.file.Files.writeString(status, "Name:\tjava\n");
        assertThat(Link.rssBytes(status)).isNull();
        assertThat(Link.rssBytes(state.resolve("missing"))).isNull();
    }

    @Test
    void withSeveralUrlsAFailedAttemptMovesOnToTheNextAndALinkThatWasUpTriesItsUrlAgainFirst() throws Exception {
        outbox = new Outbox(state, 1 << 30, Clock.systemUTC());
        URI down = URI.create("ws://replica-a/v1/agent");
        URI up = URI.create("ws://replica-b/v1/agent");
        FakeControlPlane server = new FakeControlPlane();
        BlockingQueue<URI> tried = new LinkedBlockingQueue<>();
        Transport transport = (uri, token, listener) -> {
            tried.add(uri);
            if (uri.equals(down)) {
                throw new java.io.IOException("connection refused");
            }
            return server.connect(uri, token, listener);
        };
        link = new Link(new Link.Settings(List.of(down, up), "tok", "box", "0.1", 10), transport, outbox,
                c -> { }, d -> { }, Backoff.link(new Random(3)), Clock.systemUTC());
        link.start();
        FakeControlPlane.Conn conn = server.awaitConnection();
        assertThat(server.next().type()).isEqualTo(AgentMessage.Hello.TYPE);
        conn.send(new ServerMessage.Welcome(0, "test", "h1"));
        assertThat(tried.poll(5, TimeUnit.SECONDS)).isEqualTo(down);
        assertThat(tried.poll(5, TimeUnit.SECONDS)).isEqualTo(up);
        assertThat(link.uri()).isEqualTo(up);

        conn.close(1006, "replica gone");
        FakeControlPlane.Conn again = server.awaitConnection();
        assertThat(tried.poll(5, TimeUnit.SECONDS)).as("the URL that was up, first").isEqualTo(up);
        assertThat(server.next().type()).isEqualTo(AgentMessage.Hello.TYPE);
        again.send(new ServerMessage.Welcome(0, "test", "h1"));
        assertThat(tried).isEmpty();
    }

    @Test
    void aRefusedTokenBacksOffToTheCapWhileOtherFailuresRetryAtOnce() throws Exception {
        outbox = new Outbox(state, 1 << 30, Clock.systemUTC());
        assertThat(firstPause(new Transport.Unauthorized("unauthorized: HTTP 401", null)).toMillis())
                .as("after a refused token").isGreaterThanOrEqualTo(Backoff.LINK_CAP.toMillis() / 2);
        assertThat(firstPause(new java.io.IOException("connection refused")).toMillis())
                .as("after any other failure").isZero();
        assertThat(outbox.ackedSeq()).isZero();
    }

    /** The first pause the link's loop takes when every connect fails with {@code failure}. */
    private Duration firstPause(Exception failure) throws InterruptedException {
        BlockingQueue<Duration> pauses = new LinkedBlockingQueue<>();
        Backoff backoff = new Backoff(Backoff.LINK_STEP, Backoff.LINK_CAP, new Random(5), d -> {
            pauses.add(d);
            Thread.sleep(10); // recorded, not waited
        });
        Transport failing = (uri, token, listener) -> {
            throw failure;
        };
        try (Link l = new Link(new Link.Settings(URI.create("ws://x/v1/agent"), "tok", "box", "0.1", 10), failing,
                outbox, c -> { }, d -> { }, backoff, Clock.systemUTC())) {
            l.start();
            Duration first = pauses.poll(5, TimeUnit.SECONDS);
            assertThat(first).as("a pause after the failed connect").isNotNull();
            return first;
        }
    }

    @Test
    void aCloseIsJudgedByItsKindNeverByItsText() throws Exception {
        outbox = new Outbox(state, 1 << 30, Clock.systemUTC());
        long halfCap = Backoff.LINK_CAP.toMillis() / 2;
        assertThat(pausesAfterCloses(1008, "unauthorized: host token rotated", 1).get(0).toMillis())
                .as("a rotated token waits the cap").isGreaterThanOrEqualTo(halfCap);
        assertThat(pausesAfterCloses(1002, "unsupported_version: protocol 9", 1).get(0).toMillis())
                .as("a protocol the server cannot speak waits the cap").isGreaterThanOrEqualTo(halfCap);
        assertThat(pausesAfterCloses(1011, "internal: unauthorized write to the pool", 3))
                .as("a reason that only mentions the word, after a handshake, retries at once")
                .allMatch(Duration::isZero);
        assertThat(pausesAfterCloses(1001, "going_away: restarting", 3)).allMatch(Duration::isZero);
        assertThat(pausesAfterCloses(1008, "superseded: a newer connection of this host", 3).get(2))
                .as("a host connected twice backs off step by step instead of fighting at once").isPositive();
        assertThat(pausesAfterCloses(1013, "unavailable: database down", 3).get(2))
                .as("a busy server is retried with backoff, not at once").isPositive();
    }

    /** The pauses the link takes when the server closes with (code, reason) right after each handshake. */
    private List<Duration> pausesAfterCloses(int code, String reason, int rounds) throws InterruptedException {
        BlockingQueue<Duration> pauses = new LinkedBlockingQueue<>();
        Backoff backoff = new Backoff(Backoff.LINK_STEP, Backoff.LINK_CAP, new Random(5), pauses::add);
        FakeControlPlane server = new FakeControlPlane();
        List<Duration> out = new ArrayList<>();
        try (Link l = new Link(new Link.Settings(URI.create("ws://x/v1/agent"), "tok", "box", "0.1", 10), server,
                outbox, c -> { }, d -> { }, backoff, Clock.systemUTC())) {
            l.start();
            for (int i = 0; i < rounds; i++) {
                FakeControlPlane.Conn conn = server.awaitConnection();
                assertThat(server.next().type()).isEqualTo(AgentMessage.Hello.TYPE);
                conn.send(new ServerMessage.Welcome(0, "test", "h1"));
                conn.close(code, reason);
                Duration d = pauses.poll(5, TimeUnit.SECONDS);
                assertThat(d).as("a pause after close %d of %s", i + 1, reason).isNotNull();
                out.add(d);
            }
        }
        return out;
    }

    @Test
    void reconnectDelaysGrowQuadraticallyWithJitterAndCapAtThirtySeconds() {
        Backoff b = Backoff.link(new Random(7));
        for (int n = 0; n < 200; n++) {
            long base = Math.min(n * n * 10L, 30_000);
            assertThat(b.next().toMillis()).isBetween(base / 2, base * 3 / 2 + 1);
        }
        b.reset();
        b.saturate(); // a refused token: straight to the cap
        assertThat(b.next().toMillis()).isGreaterThanOrEqualTo(15_000);
    }
}
