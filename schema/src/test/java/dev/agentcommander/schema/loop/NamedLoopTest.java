package dev.agentcommander.schema.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NamedLoopTest {
    @Test
    void runsRoundsOnANamedThreadUntilClosedAndInterruptsAWaitingRound() throws InterruptedException {
        AtomicReference<String> name = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        NamedLoop loop = NamedLoop.start("test-loop", () -> {
            name.set(Thread.currentThread().getName());
            waiting.countDown();
            Thread.sleep(60_000);
        });
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        loop.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
        assertThat(name.get()).isEqualTo("test-loop");
        assertThat(loop.running()).isFalse();
    }

    @Test
    void aFailedRoundIsReportedAndTheLoopGoesOn() throws InterruptedException {
        AtomicInteger rounds = new AtomicInteger();
        AtomicReference<String> failed = new AtomicReference<>();
        CountDownLatch third = new CountDownLatch(1);
        NamedLoop loop = NamedLoop.start("flaky", () -> {
            if (rounds.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            if (rounds.get() >= 3) {
                third.countDown();
                Thread.sleep(60_000);
            }
        }, (l, e) -> failed.set(l + ":" + e.getMessage()));
        assertThat(third.await(5, TimeUnit.SECONDS)).isTrue();
        loop.close();
        assertThat(failed.get()).isEqualTo("flaky:boom");
    }
}
