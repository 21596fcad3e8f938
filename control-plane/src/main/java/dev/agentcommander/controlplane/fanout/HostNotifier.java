package dev.agentcommander.controlplane.fanout;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * "A host has work waiting in Postgres" (a queued command, a decision to deliver), sent after the commit. The
 * replica holding that host's socket wakes and reads the rows; the signal carries no data, so a LISTEN/NOTIFY
 * implementation ({@link PgHostNotifier}) can replace the in-process one and a lost signal only delays delivery
 * until the next reconnect.
 */
public interface HostNotifier {

    void hostHasWork(String hostId);

    void onHostWork(Consumer<String> handler);

    /**
     * Signals may have been lost (a LISTEN connection that was down): {@code handler} then looks for work for every
     * host it holds. Never called by the in-process notifier, which cannot lose a signal.
     */
    default void onMissedWork(Runnable handler) {
    }

    /** Signals handlers in this JVM only. */
    final class InProcess implements HostNotifier {
        private final CopyOnWriteArrayList<Consumer<String>> handlers = new CopyOnWriteArrayList<>();

        @Override
        public void hostHasWork(String hostId) {
            handlers.forEach(h -> h.accept(hostId));
        }

        @Override
        public void onHostWork(Consumer<String> handler) {
            handlers.add(handler);
        }
    }
}
