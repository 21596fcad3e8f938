package dev.agentcommander.agentd;

import dev.agentcommander.schema.AgentMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The outbox seam for tests: keeps every message in order, with the nanoTime it was handed over. */
final class ListOutbound implements Outbound {
    record Sent(long seq, long nanos, AgentMessage message) {
    }

    private final List<Sent> sent = new ArrayList<>();

    @Override
    public synchronized long send(AgentMessage message) {
        long seq = sent.size() + 1;
        sent.add(new Sent(seq, System.nanoTime(), message));
        notifyAll();
        return seq;
    }

    synchronized List<Sent> all() {
        return List.copyOf(sent);
    }

    synchronized <T extends AgentMessage> List<T> ofType(Class<T> type, Predicate<T> filter) {
        List<T> out = new ArrayList<>();
        for (Sent s : sent) {
            if (type.isInstance(s.message()) && filter.test(type.cast(s.message()))) {
                out.add(type.cast(s.message()));
            }
        }
        return out;
    }

    /** Waits until {@code done} holds over the messages, or the deadline passes; returns whether it held. */
    synchronized boolean await(Predicate<List<Sent>> done, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!done.test(sent)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
