package dev.agentcommander.controlplane.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one wait-until of the test kit: polls a condition every 10 ms and fails with what was awaited. Waiting is
 * for things that happen (a row appears, a status changes); that something does not happen is shown by a marker
 * that comes after it, never by a sleep.
 */
public final class Await {
    /**
     * How long any test waits for something that should happen within milliseconds, and the least any wait is
     * given: a bound only matters when the awaited thing does not happen, and on a loaded 2-core CI machine
     * "milliseconds" sometimes takes seconds. Tests check behaviour, not timings.
     */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition);
    }

    public static void until(String what, Duration bound, BooleanSupplier condition) {
        Duration timeout = bound.compareTo(TIMEOUT) < 0 ? TIMEOUT : bound;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
