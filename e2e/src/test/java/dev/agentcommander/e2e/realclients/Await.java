package dev.agentcommander.e2e.realclients;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; the failure says what was awaited and what was last seen. */
final class Await {
    private Await() {
    }

    /** Returns the probe's first non-null, non-false value; fails with {@code what} and {@code seen} on timeout. */
    static <T> T until(Duration timeout, String what, Supplier<T> probe, Supplier<String> seen) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T v = probe.get();
            if (v != null && !Boolean.FALSE.equals(v)) {
                return v;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "\n--- last seen ---\n" + seen.get());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }
}
