package dev.agentcommander.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping a fixed time. */
final class Poll {
    private Poll() {
    }

    static <T> T until(Duration timeout, String what, Supplier<T> probe) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                T v = probe.get();
                if (v != null && !Boolean.FALSE.equals(v)) {
                    return v;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
    }
}
