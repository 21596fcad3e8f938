package dev.agentcommander.schema.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void growsQuadraticallyUpToTheCapAndResetsAfterSuccess() {
        List<Duration> slept = new ArrayList<>();
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofMillis(1000), fixedHalf(), slept::add);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            delays.add(b.next().toMillis());
        }
        assertThat(delays).containsExactly(0L, 10L, 40L, 90L, 160L, 250L, 360L, 490L, 640L, 810L, 1000L, 1000L,
                1000L, 1000L);
        b.reset();
        assertThat(b.next()).isEqualTo(Duration.ZERO);
        assertThat(b.attempts()).isEqualTo(1);
    }

    @Test
    void jitterStaysBetweenHalfAndOneAndAHalfOfTheBase() {
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(30), new SplittableRandom(7),
                d -> { });
        b.saturate();
        for (int i = 0; i < 1000; i++) {
            assertThat(b.next().toMillis()).isBetween(15_000L, 45_000L);
        }
    }

    @Test
    void saturateJumpsToTheCapAndPauseSleepsTheDelay() throws InterruptedException {
        List<Duration> slept = new ArrayList<>();
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(30), fixedHalf(), slept::add);
        b.saturate();
        b.pause();
        assertThat(slept).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void refusesAStepLargerThanTheCap() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), fixedHalf(), d -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step");
    }

    /** nextDouble() is always 0.5, so the jitter factor is exactly 1. */
    private static RandomGenerator fixedHalf() {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return 0.5;
            }
        };
    }
}
