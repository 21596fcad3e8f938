package dev.agentcommander.agentd.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one wait-until of agentd's and the end-to-end tests: polls a condition until it holds or the time is up, then
 * fails naming what it waited for. Tests wait for an observable effect instead of sleeping a guessed time.
 */
public final class Await {
    private static final long POLL_MILLIS = 10;
    /** {@link #value} probes usually cost a process, a query or a REST call: asked less often. */
    private static final long PROBE_MILLIS = 50;
    /**
     * No wait is shorter than this: a bound only matters when the awaited thing does not happen, and on a loaded
     * 2-core CI machine "should take milliseconds" sometimes takes seconds. Tests check behaviour, not timings.
     */
    static final Duration FLOOR = Duration.ofSeconds(20);

    private Await() {
    }

    /** Returns as soon as {@code condition} holds; throws AssertionError naming {@code what} after {@code within}. */
    public static void until(String what, Duration bound, BooleanSupplier condition) {
        Duration within = atLeastFloor(bound);
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                if (condition.getAsBoolean()) { // one last look: the deadline may have passed while we slept
                    return;
                }
                throw new AssertionError("timed out after " + within.toMillis() + " ms waiting for " + what);
            }
            sleep(POLL_MILLIS, what);
        }
    }

    /**
     * Returns the probe's first value that is neither null nor {@code false}. A probe that throws is asked again
     * (the service it asks may not be up yet); the last exception is the failure's cause.
     */
    public static <T> T value(String what, Duration within, Supplier<T> probe) {
        return value(what, within, probe, null);
    }

    /** As {@link #value(String, Duration, Supplier)}; the failure also shows what {@code seen} says at the end. */
    public static <T> T value(String what, Duration bound, Supplier<T> probe, Supplier<String> seen) {
        Duration within = atLeastFloor(bound);
        long deadline = System.nanoTime() + within.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T v = probe.get();
                if (v != null && !Boolean.FALSE.equals(v)) {
                    return v;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                String tail = seen == null ? "" : "\n--- last seen ---\n" + seen.get();
                throw new AssertionError("timed out after " + within.toMillis() + " ms waiting for " + what + tail,
                        last);
            }
            sleep(PROBE_MILLIS, what);
        }
    }

    private static Duration atLeastFloor(Duration d) {
        return d.compareTo(FLOOR) < 0 ? FLOOR : d;
    }

    private static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }
}
