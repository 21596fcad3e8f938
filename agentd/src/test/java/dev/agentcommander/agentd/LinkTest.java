package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
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

    /** An in-memory server end: what agentd sent, and a handle to answer. */
    static final class FakeServer implements Transport {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final BlockingQueue<Listener> connections = new LinkedBlockingQueue<>();
        volatile String token;

        @Override
        public Connection connect(URI uri, String token, Listener listener) {
            this.token = token;
            connections.add(listener);
            return new Connection() {
                @Override
                public void send(String text) {
                    received.add(text);
                }

                @Override
                public void close(int code, String reason) {
                }
            };
        }

        Codec.Frame<AgentMessage> next() throws InterruptedException {
            String s = received.poll(5, TimeUnit.SECONDS);
            assertThat(s).as("a frame from agentd").isNotNull();
            return Codec.decodeAgent(s);
        }

        Codec.Frame<AgentMessage> nextSequenced() throws InterruptedException {
            while (true) {
                var f = next();
                if (f.message().sequenced()) {
                    return f;
                }
            }
        }
    }

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

    private static void serverSends(Transport.Listener l, ServerMessage m) {
        l.onText(Codec.encodeServer(m, Instant.now()));
    }

    @Test
    void resendsUnackedMessagesAfterReconnectInOrderWithinTheWindow() throws Exception {
        outbox = new Outbox(state, 1 << 30, Clock.systemUTC());
        for (int i = 1; i <= 5; i++) {
            outbox.send(event(i));
        }
        FakeServer server = new FakeServer();
        List<ServerMessage.Command> commands = new ArrayList<>();
        link = new Link(new Link.Settings(URI.create("ws://x/v1/agent"), "tok", "box", "0.1", 2), server,
                outbox, commands::add, d -> { }, new Backoff(new Random(1)), Clock.systemUTC());
        link.start();
        Transport.Listener conn = server.connections.poll(5, TimeUnit.SECONDS);
        assertThat(server.token).isEqualTo("tok");
        var hello = server.next();
        assertThat(hello.type()).isEqualTo("agent.hello");
        assertThat(((AgentMessage.Hello) hello.message()).lastAckedSeq()).isEqualTo(0);
        serverSends(conn, new ServerMessage.Welcome(2, "test", "h1"));
        assertThat(server.nextSequenced().seq()).isEqualTo(3);
        assertThat(server.nextSequenced().seq()).isEqualTo(4);
        // window of 2: nothing more until an ack
        assertThat(server.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        serverSends(conn, new ServerMessage.Ack(4));
        assertThat(server.nextSequenced().seq()).isEqualTo(5);
        assertThat(outbox.ackedSeq()).isEqualTo(4);
        long live = outbox.send(event(6));
        assertThat(server.nextSequenced().seq()).isEqualTo(live);

        serverSends(conn, new ServerMessage.Command("c1", "interrupt",
                Json.mapper().createObjectNode().put("session_id", "s1")));
        conn.onText("{not json");
        assertThat(commands).extracting(ServerMessage.Command::commandId).containsExactly("c1");

        // the link drops; the server's record (4) wins and 5, 6 are sent again
        server.received.clear();
        conn.onClosed(1006, "gone");
        Transport.Listener conn2 = server.connections.poll(5, TimeUnit.SECONDS);
        assertThat(conn2).isNotNull();
        var hello2 = server.next();
        assertThat(((AgentMessage.Hello) hello2.message()).lastAckedSeq()).isEqualTo(4);
        serverSends(conn2, new ServerMessage.Welcome(4, "test", "h1"));
        assertThat(server.nextSequenced().seq()).isEqualTo(5);
        assertThat(server.nextSequenced().seq()).isEqualTo(6);
    }

    @Test
    void backoffGrowsQuadraticallyWithJitterAndCapsAtThirtySeconds() {
        Backoff b = new Backoff(new Random(7));
        for (int n = 0; n < 200; n++) {
            long base = Math.min(n * n * 10L, 30_000);
            assertThat(b.delay(n).toMillis()).isBetween(base / 2, base * 3 / 2 + 1);
        }
        assertThat(b.delay(Backoff.cappedAttempt()).toMillis()).isGreaterThanOrEqualTo(15_000);
    }
}
