package dev.agentcommander.controlplane.ui;

import dev.agentcommander.controlplane.auth.RateLimiter;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * What one signed-in subject may hold and do on this replica's {@code /v1/ui}: at most {@link #MAX_SOCKETS}
 * sockets, {@link #MAX_SUBSCRIPTIONS} subscriptions per socket, and messages at the rate REST allows state changes
 * ({@link #BURST} at once, {@link #PER_SECOND} after that). Without them one token could hold any number of
 * sockets and subscriptions (memory and fan-out work on every change) and turn subscribe/unsubscribe into a flood
 * of console commands. Per replica, like everything a replica keeps in memory (DESIGN §10): behind a load
 * balancer a subject's limit is this times the replicas it reaches.
 */
public final class UiQuotas {
    public static final int MAX_SOCKETS = 16;
    /** A dashboard grid of a hundred consoles fits on one socket (each console lane is bounded, see UiOutbox). */
    public static final int MAX_SUBSCRIPTIONS = 128;
    static final double BURST = 120;
    static final double PER_SECOND = 40;

    private final Clock clock;
    private final RateLimiter messages;
    private final Map<String, Integer> sockets = new HashMap<>();
    private final UiStats stats = new UiStats();
    private int socketsTotal;

    public UiQuotas(Clock clock) {
        this.clock = clock;
        this.messages = new RateLimiter(clock, BURST, PER_SECOND);
    }

    Clock clock() {
        return clock;
    }

    /** This replica's UI counters (subscriptions, console drops). */
    public UiStats stats() {
        return stats;
    }

    /** UI sockets open on this replica. */
    public synchronized int sockets() {
        return socketsTotal;
    }

    /** Counts a socket for {@code subject}; false (nothing counted) when it already holds {@link #MAX_SOCKETS}. */
    synchronized boolean openSocket(String subject) {
        int n = sockets.getOrDefault(subject, 0);
        if (n >= MAX_SOCKETS) {
            return false;
        }
        sockets.put(subject, n + 1);
        socketsTotal++;
        return true;
    }

    /** Releases a socket counted by {@link #openSocket}. */
    synchronized void closeSocket(String subject) {
        if (sockets.containsKey(subject)) {
            socketsTotal--;
        }
        sockets.computeIfPresent(subject, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Takes one message from {@code subject}'s budget; false when it is over its rate. */
    boolean message(String subject) {
        return messages.tryAcquire(subject);
    }
}
