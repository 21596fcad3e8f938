package dev.agentcommander.agentd.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PumpWatchTest {
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
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
    private final Logger logger = Logger.getLogger(Link.class.getName());
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
    }

    @Test
    void aWindowFullPastFiveSecondsIsLoggedOnceWithItsCountsAndAgainOnlyAfterAFrameWentOut() {
        PumpWatch watch = new PumpWatch(clock, 1000);
        long ackAt = clock.millis();
        watch.windowFull("frames", 9000, 5000, 3, ackAt, 9500);
        clock.advance(Duration.ofSeconds(5));
        watch.windowFull("frames", 9000, 5000, 3, ackAt, 9500);
        assertThat(warnings).as("5 s is not past the bound").isEmpty();
        clock.advance(Duration.ofMillis(500));
        watch.windowFull("frames", 9000, 5000, 3, ackAt, 9500);
        clock.advance(Duration.ofSeconds(10));
        watch.windowFull("frames", 9000, 5000, 3, ackAt, 9500);
        assertThat(warnings).singleElement().asString().contains("full of unacked frames for 5500 ms")
                .contains("sent up to seq 9000, acked 5000 (4000 frames, 3 stored messages unacked; window 1000)")
                .contains("last ack 5500 ms ago").contains("read up to seq 9500");

        watch.sent();
        watch.windowFull("stored messages", 12000, 11000, 1000, 0, 12000);
        clock.advance(Duration.ofSeconds(6));
        watch.windowFull("stored messages", 12000, 11000, 1000, 0, 12000);
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(1)).contains("full of unacked stored messages").contains("last ack none yet");
    }

    @Test
    void aReaderThatReturnsNothingWhileTheOutboxHoldsMoreIsLoggedButAnOutboxWithNothingNewIsNot() {
        PumpWatch watch = new PumpWatch(clock, 1000);
        for (int i = 0; i < 20; i++) { // caught up: the outbox has nothing past the reader
            watch.readNothing(700, 700);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(warnings).isEmpty();
        watch.readNothing(800, 700);
        clock.advance(Duration.ofSeconds(6));
        watch.readNothing(900, 700);
        watch.readNothing(950, 700);
        assertThat(warnings).singleElement().asString()
                .contains("holds up to seq 900 but its reader has returned nothing after seq 700 for 6000 ms");
    }

    @Test
    void aPumpThatSendsButStaysAWindowBehindIsLoggedOnceAndAgainOnlyAfterItCaughtUp() {
        PumpWatch watch = new PumpWatch(clock, 1000);
        for (int i = 0; i < 10; i++) { // sending, and at most half a window behind: fine however long
            watch.sent();
            watch.progress(5000 + i * 500, 5400 + i * 500, 4900 + i * 500);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(warnings).isEmpty();
        for (int i = 0; i < 7; i++) { // still sending, a frame at a time, but 2000 behind and not catching up
            watch.sent();
            watch.progress(10000 + i * 400, 12000 + i * 500, 9500 + i * 400);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(warnings).singleElement().asString().contains("reaching the control plane late")
                .contains("for 6000 ms").contains("sent up to seq 12400, outbox at 15000, acked 11900; window 1000");
        watch.progress(16000, 16000, 15500); // caught up: the episode ends
        watch.progress(16500, 18000, 16000);
        clock.advance(Duration.ofSeconds(6));
        watch.progress(16600, 18500, 16100);
        assertThat(warnings).hasSize(2);
    }
}
