package dev.agentcommander.controlplane.auth;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per caller, so a runaway script cannot flood hosts with commands: REST limits state-changing
 * requests with it, the UI socket every message. In {@code auth} because it limits an authenticated subject and
 * both network packages use it. The map is bounded (least recently used callers are forgotten, which only ever
 * makes a limit more lenient).
 */
public final class RateLimiter {
    private static final int MAX_KEYS = 10_000;

    private final Clock clock;
    private final double burst;
    private final double perSecond;
    private final Map<String, double[]> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public RateLimiter(Clock clock, double burst, double perSecond) {
        this.clock = clock;
        this.burst = burst;
        this.perSecond = perSecond;
    }

    /** Takes one token for {@code key}; false when the caller is over its rate. */
    public synchronized boolean tryAcquire(String key) {
        double now = clock.millis() / 1000.0;
        double[] b = buckets.computeIfAbsent(key, k -> new double[]{burst, now});
        b[0] = Math.min(burst, b[0] + (now - b[1]) * perSecond);
        b[1] = now;
        if (b[0] < 1) {
            return false;
        }
        b[0] -= 1;
        return true;
    }
}
