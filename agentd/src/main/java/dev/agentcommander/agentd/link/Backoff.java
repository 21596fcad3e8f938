package dev.agentcommander.agentd.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: n²·10 ms capped at 30 s, times a random factor 0.5–1.5 so a fleet of agents restarted
 * together does not hammer the control plane in lockstep.
 */
public final class Backoff {
    public static final Duration CAP = Duration.ofSeconds(30);

    private final RandomGenerator random;

    public Backoff(RandomGenerator random) {
        this.random = random;
    }

    /** The delay before attempt {@code n} (0 = first retry). */
    public Duration delay(int n) {
        long base = Math.min((long) n * n * 10L, CAP.toMillis());
        if (n > 10_000) {
            base = CAP.toMillis();
        }
        return Duration.ofMillis(Math.round(base * (0.5 + random.nextDouble())));
    }

    /** The attempt number whose delay is the cap (for "back off fully" after a refusal). */
    public static int cappedAttempt() {
        return (int) Math.ceil(Math.sqrt(CAP.toMillis() / 10.0));
    }
}
