package dev.agentcommander.agentd.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.link.Transport;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.ServerMessage;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's end of the link, in memory: a {@link Transport} that records every frame agentd sends and
 * hands the test each connection to answer on. For tests of what agentd sends and in which order; the real
 * WebSocket is covered by SocketTransportTest and WsClientProtocolTest.
 */
public final class FakeControlPlane implements Transport {
    /** One connection agentd opened: what the server says on it goes to agentd's listener at once. */
    public static final class Conn {
        private final Listener listener;

        Conn(Listener listener) {
            this.listener = listener;
        }

        public void send(ServerMessage m) {
            listener.onText(Codec.encodeServer(m, Instant.now()));
        }

        /** A raw text frame, well-formed or not. */
        public void sendText(String text) {
            listener.onText(text);
        }

        /** The server closes (or the network drops) this connection. */
        public void close(int code, String reason) {
            listener.onClosed(code, reason);
        }
    }

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<Conn> connections = new LinkedBlockingQueue<>();
    private volatile String token;

    @Override
    public Connection connect(URI uri, String token, Listener listener) {
        this.token = token;
        connections.add(new Conn(listener));
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

    /** The bearer token of the last connection. */
    public String token() {
        return token;
    }

    /** The next connection agentd opens (waits up to 5 s). */
    public Conn awaitConnection() throws InterruptedException {
        Conn c = connections.poll(5, TimeUnit.SECONDS);
        assertThat(c).as("a connection from agentd").isNotNull();
        return c;
    }

    /** The next frame agentd sent (waits up to 5 s). */
    public Codec.Frame<AgentMessage> next() throws InterruptedException {
        String s = received.poll(5, TimeUnit.SECONDS);
        assertThat(s).as("a frame from agentd").isNotNull();
        return Codec.decodeAgent(s);
    }

    /** The next frame that carries a seq, skipping hello and heartbeats. */
    public Codec.Frame<AgentMessage> nextSequenced() throws InterruptedException {
        while (true) {
            var f = next();
            if (f.message().sequenced()) {
                return f;
            }
        }
    }

    /** Forgets frames received and not yet read. */
    public void clearReceived() {
        received.clear();
    }
}
