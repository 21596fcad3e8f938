package dev.agentcommander.controlplane.ui;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of this replica's {@code /v1/ui} that an operator watches (exported at {@code /metrics}): open
 * subscriptions, and console output dropped for viewers who fell behind. Kept here as plain counters so the UI
 * code does not know how they are exported.
 */
public final class UiStats {
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final LongAdder consoleDroppedBytes = new LongAdder();
    private final LongAdder consoleSkips = new LongAdder();

    void subscriptions(int delta) {
        subscriptions.addAndGet(delta);
    }

    /** A viewer's lane was cut ({@code console.skipped}): {@code bytes} of its output dropped. */
    void consoleDropped(long bytes) {
        consoleSkips.increment();
        consoleDroppedBytes.add(bytes);
    }

    /** Output dropped while a cut lane waits for its next screen (no new cut). */
    void consoleDroppedAwaitingScreen(long bytes) {
        consoleDroppedBytes.add(bytes);
    }

    /** Subscriptions open on this replica's UI sockets. */
    public int subscriptions() {
        return subscriptions.get();
    }

    /** Console bytes dropped for viewers that fell behind, in all. */
    public long consoleDroppedBytes() {
        return consoleDroppedBytes.sum();
    }

    /** How many times a viewer's console lane was cut ({@code console.skipped} sent). */
    public long consoleSkips() {
        return consoleSkips.sum();
    }
}
