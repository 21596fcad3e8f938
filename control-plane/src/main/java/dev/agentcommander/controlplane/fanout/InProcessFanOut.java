package dev.agentcommander.controlplane.fanout;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** One replica's fan-out: calls every listener on the publisher's thread (listeners only enqueue). */
public final class InProcessFanOut implements FanOut {
    private static final System.Logger LOG = System.getLogger(InProcessFanOut.class.getName());
    private final CopyOnWriteArrayList<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void publish(Change change) {
        for (Consumer<Change> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "fan-out listener failed", e);
            }
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<Change> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
