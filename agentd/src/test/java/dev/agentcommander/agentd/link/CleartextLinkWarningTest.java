package dev.agentcommander.agentd.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.testkit.FakeControlPlane;
import dev.agentcommander.schema.loop.Backoff;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain ws:// to another machine sends the host token in clear: agentd says so at start, and still connects. */
class CleartextLinkWarningTest {
    @TempDir
    Path state;

    @Test
    void onlyPlainWsToAnotherMachineCounts() {
        for (String remote : List.of("ws://commander.example.com/v1/agent", "ws://10.0.0.5:8080/v1/agent",
                "ws://[2001:db8::1]/v1/agent", "WS://192.168.1.2/v1/agent", "ws://127.example.com/v1/agent")) {
            assertThat(Link.sendsTokenInClear(URI.create(remote))).as(remote).isTrue();
        }
        for (String safe : List.of("wss://commander.example.com/v1/agent", "ws://127.0.0.1:8080/v1/agent",
                "ws://127.1.2.3/v1/agent", "ws://localhost:8080/v1/agent", "ws://[::1]:8080/v1/agent",
                "ws://LOCALHOST/v1/agent")) {
            assertThat(Link.sendsTokenInClear(URI.create(safe))).as(safe).isFalse();
        }
    }

    @Test
    void startingALinkOverPlainWsToAnotherHostLogsAWarningNamingTheUrlAndWss() throws Exception {
        assertThat(warningsWhenStarting("ws://commander.example.com/v1/agent")).singleElement().asString()
                .contains("control_plane.url ws://commander.example.com/v1/agent").contains("wss://");
        assertThat(warningsWhenStarting("ws://127.0.0.1:8080/v1/agent")).isEmpty();
        assertThat(warningsWhenStarting("wss://commander.example.com/v1/agent")).isEmpty();
    }

    private List<String> warningsWhenStarting(String url) throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue() && r.getMessage().contains("ws://")
                        && r.getMessage().contains("control_plane.url")) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(Link.class.getName());
        logger.addHandler(capture);
        FakeControlPlane server = new FakeControlPlane();
        try (Outbox outbox = new Outbox(state.resolve(Long.toString(System.nanoTime())), 1 << 20, Clock.systemUTC());
             Link link = new Link(new Link.Settings(URI.create(url), "tok", "box", "0.1", 10), server, outbox,
                     c -> { }, d -> { }, Backoff.link(new Random(1)), Clock.systemUTC())) {
            link.start();
            server.awaitConnection(); // the warning does not stop it from connecting
        } finally {
            logger.removeHandler(capture);
        }
        return warnings;
    }
}
