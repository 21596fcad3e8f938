package dev.agentcommander.controlplane.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one wait-until of the test kit: polls a condition every 10 ms and fails with what was awaited. Waiting is
 * for things that happen (a row appears, a status changes); that something does not happen is shown by a marker
 * that comes after it, never by a sleep.
 */
public final class Await {
    /** How long any test waits for something that should happen within milliseconds. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
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
