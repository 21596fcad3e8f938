package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.controlplane.testkit.LogCapture;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent socket's reader relays console output and then queues every frame for ingest; when ingest falls behind
 * and the inbox is full the reader waits, and with it the host's console and acks. Such a wait is named in the log
 * when it ends, with how long it was; a reader that never waited logs nothing.
 */
class IngestInboxTest {
    private static Codec.Frame<AgentMessage> chunk(long seq) {
        return new Codec.Frame<>(1, AgentMessage.ConsoleChunk.TYPE, seq, Instant.EPOCH,
                new AgentMessage.ConsoleChunk("s-1", "c1", seq, "eA=="));
    }

    @Test
    void aReaderHeldBackByAFullInboxIsLoggedWithHowLongWhenItGoesOn() throws Exception {
        TestClock clock = new TestClock();
        AgentConnection conn = new AgentConnection("h-1", 1, 0, null, clock);
        try (LogCapture log = LogCapture.of(AgentConnection.class.getName())) {
            long seq = 0;
            while (conn.inbox().remainingCapacity() > 0) {
                conn.enqueue(chunk(++seq));
            }
            assertThat(log.drain()).as("queued without waiting").isEmpty();

            long next = seq + 1;
            CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
                try {
                    conn.enqueue(chunk(next));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(held).as("the reader waits while the inbox is full").isNotDone();
            clock.advance(Duration.ofMillis(2500));
            assertThat(conn.inbox().poll()).isNotNull(); // ingest takes one: room for the waiting frame
            held.get(5, TimeUnit.SECONDS);
            assertThat(log.await(l -> l.contains("ingest inbox"))).contains("WARNING").contains("host h-1")
                    .contains("4096 frames").containsPattern("full for 2[5-9]\\d\\d ms")
                    .contains("console output and acks waited too");
        }
    }
}
