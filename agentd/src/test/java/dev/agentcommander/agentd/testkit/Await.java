package dev.agentcommander.agentd.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one wait-until of agentd's tests: polls a condition until it holds or the time is up, then fails naming
 * what it waited for. Tests wait for an observable effect instead of sleeping a guessed time.
 */
public final class Await {
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Returns as soon as {@code condition} holds; throws AssertionError naming {@code what} after {@code within}. */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                if (condition.getAsBoolean()) { // one last look: the deadline may have passed while we slept
                    return;
                }
                throw new AssertionError("timed out after " + within.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
