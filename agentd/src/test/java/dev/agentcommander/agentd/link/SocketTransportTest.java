package dev.agentcommander.agentd.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Protocol;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.Backoff;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link over a real WebSocket server (Helidon's, on port 0) with agentd's own client: bearer token, handshake,
 * acks, refusal.
 */
class SocketTransportTest {
    @TempDir
    Path state;

    private WebServer server;
    private final List<Long> stored = new CopyOnWriteArrayList<>();
    private final List<String> authHeaders = new CopyOnWriteArrayList<>();

    /** A minimal control plane: checks the token, welcomes with what it stored, acks every sequenced frame. */
    private final class Plane implements WsListener {
        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            authHeaders.add(headers.first(io.helidon.http.HeaderNames.AUTHORIZATION).orElse(""));
            return Optional.empty();
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            var f = Codec.decodeAgent(text);
            if (f.message() instanceof AgentMessage.Hello h) {
                if (!authHeaders.get(authHeaders.size() - 1).equals("Bearer good")) {
                    session.close(1008, "unauthorized: bad host token");
                    return;
                }
                long last0 = stored.isEmpty() ? 0 : stored.get(stored.size() - 1);
                session.send(Codec.encodeServer(new ServerMessage.Welcome(last0, "t", "h1"), Instant.now()), true);
            } else if (f.seq() != null) {
                stored.add(f.seq());
                session.send(Codec.encodeServer(new ServerMessage.Ack(f.seq()), Instant.now()), true);
            }
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    Link link(Outbox outbox, String token) {
        server = WebServer.builder().port(0).host("127.0.0.1")
                .addRouting(WsRouting.builder().endpoint("/v1/agent", new Plane())).build().start();
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/v1/agent");
        return new Link(new Link.Settings(uri, token, "box", "t", 1000), new SocketTransport(Protocol.MAX_FRAME_BYTES),
                outbox, c -> { }, d -> { }, Backoff.link(new Random(3)), Clock.systemUTC());
    }

    @Test
    void deliversTheOutboxOverARealWebSocketAndPersistsAcks() throws Exception {
        try (Outbox outbox = new Outbox(state, 1 << 30, Clock.systemUTC())) {
            for (int i = 0; i < 50; i++) {
                outbox.send(new AgentMessage.EventsAppend("s", "e", Json.mapper().createObjectNode().put("i", i)));
            }
            Link link = link(outbox, "good");
            link.start();
            try {
                Await.until("all acked", Duration.ofSeconds(10), () -> outbox.ackedSeq() == 50);
                assertThat(authHeaders.get(0)).isEqualTo("Bearer good");
                assertThat(stored).hasSize(50).isSorted();
                outbox.send(new AgentMessage.SessionsRemoved("s_x"));
                Await.until("live message acked", Duration.ofSeconds(10), () -> outbox.ackedSeq() == 51);
                assertThat(link.connected()).isTrue();
            } finally {
                link.close();
            }
        }
    }

    @Test
    void aRefusedTokenIsLoggedClearlyAndNothingIsSent() throws Exception {
        List<String> severe = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                    severe.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        // held in a variable: JUL keeps loggers only weakly, and a GC before Link logs would drop the handler
        Logger linkLog = Logger.getLogger(Link.class.getName());
        linkLog.addHandler(h);
        try (Outbox outbox = new Outbox(state, 1 << 30, Clock.systemUTC())) {
            outbox.send(new AgentMessage.SessionsRemoved("s_x"));
            Link link = link(outbox, "wrong");
            link.start();
            try {
                Await.until("refusal logged", Duration.ofSeconds(10), () -> !severe.isEmpty());
                assertThat(severe.get(0)).contains("unauthorized").contains("control_plane.token");
                assertThat(stored).isEmpty();
                assertThat(outbox.ackedSeq()).isZero();
            } finally {
                link.close();
            }
        } finally {
            linkLog.removeHandler(h);
        }
    }
}
