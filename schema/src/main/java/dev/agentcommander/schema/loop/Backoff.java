package dev.agentcommander.schema.loop;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The one retry schedule of the project: delay n²·step for the n-th consecutive failure, capped, times a random
 * factor 0.5–1.5 so that a fleet of agents (or loops) restarted together does not retry in lockstep. It lives in
 * {@code schema} because the link's reconnect schedule is part of the contract between agentd and the control
 * plane (10 ms steps, 30 s cap), and every other loop on either side retries the same way with its own cap.
 *
 * <p>Stateful on purpose: it owns its attempt counter, so a loop says only {@link #pause()} after a failure and
 * {@link #reset()} after a success, and cannot forget to count. Not thread-safe: one instance per loop.
 */
public final class Backoff {
    /** Sleeps; tests inject one that records or returns at once. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;

        Sleeper THREAD = d -> Thread.sleep(d);
    }

    /** The link's step and cap (DESIGN: n²·10 ms, cap 30 s, ×0.5–1.5). */
    public static final Duration LINK_STEP = Duration.ofMillis(10);
    public static final Duration LINK_CAP = Duration.ofSeconds(30);

    private final Duration step;
    private final Duration cap;
    private final RandomGenerator random;
    private final Sleeper sleeper;
    private int attempt;

    public Backoff(Duration step, Duration cap, RandomGenerator random, Sleeper sleeper) {
        if (step.isNegative() || step.isZero() || cap.compareTo(step) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < step <= cap (step " + step + ", cap " + cap + ")");
        }
        this.step = step;
        this.cap = cap;
        this.random = Objects.requireNonNull(random);
        this.sleeper = Objects.requireNonNull(sleeper);
    }

    /** The link's schedule, sleeping on the calling thread. */
    public static Backoff link(RandomGenerator random) {
        return new Backoff(LINK_STEP, LINK_CAP, random, Sleeper.THREAD);
    }

    /** A schedule with the link's step and another cap, sleeping on the calling thread. */
    public static Backoff capped(Duration cap) {
        return new Backoff(LINK_STEP, cap, RandomGenerator.getDefault(), Sleeper.THREAD);
    }

    /** The delay for the next failure, counting it; does not sleep. */
    public Duration next() {
        long base = attempt > 100_000 ? cap.toMillis() : Math.min((long) attempt * attempt * step.toMillis(),
                cap.toMillis());
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        return Duration.ofMillis(Math.round(base * (0.5 + random.nextDouble())));
    }

    /** Counts a failure and sleeps its delay. */
    public void pause() throws InterruptedException {
        sleeper.sleep(next());
    }

    /** A success: the next failure starts again from the shortest delay. */
    public void reset() {
        attempt = 0;
    }

    /** Jumps to the cap: the failure is one that retrying soon will not fix (a refused token, say). */
    public void saturate() {
        attempt = Math.max(attempt, (int) Math.ceil(Math.sqrt((double) cap.toMillis() / step.toMillis())));
    }

    /** Consecutive failures counted since the last {@link #reset()}. */
    public int attempts() {
        return attempt;
    }

    public Duration cap() {
        return cap;
    }
}
