package dev.agentcommander.controlplane.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock plus an offset a test moves forward, or frozen: for what a control plane decides by its injected
 * clock (a token's expiry, a console stream's linger, how fresh a connection's epoch is, a rate budget's refill)
 * without waiting for it, and with counts that do not depend on how fast the machine is.
 */
public final class TestClock extends Clock {
    private volatile Duration offset = Duration.ZERO;
    private volatile Instant frozen;

    /** Moves this clock forward by {@code d} (frozen, it stays frozen at the later instant). */
    public synchronized void advance(Duration d) {
        if (frozen != null) {
            frozen = frozen.plus(d);
        } else {
            offset = offset.plus(d);
        }
    }

    /** Stops this clock where it is until {@link #thaw()}; {@link #advance} still moves it. */
    public synchronized void freeze() {
        frozen = instant();
    }

    /** Lets this clock run again from where it stands. */
    public synchronized void thaw() {
        if (frozen != null) {
            offset = Duration.between(Instant.now(), frozen);
            frozen = null;
        }
    }

    @Override
    public Instant instant() {
        Instant f = frozen;
        return f != null ? f : Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
