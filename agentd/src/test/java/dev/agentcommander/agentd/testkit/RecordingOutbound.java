package dev.agentcommander.agentd.testkit;

import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.schema.AgentMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The outbox seam for tests that look at messages rather than the wire: keeps every message in order, with the
 * seq it was given and the nanoTime it was handed over. Thread-safe; readers get copies.
 */
public final class RecordingOutbound implements Outbound {
    /** One message as it was handed over. */
    public record Sent(long seq, long nanos, AgentMessage message) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private long seq;

    @Override
    public synchronized long send(AgentMessage message) {
        sent.add(new Sent(++seq, System.nanoTime(), message));
        return seq;
    }

    /** Every message so far, in order. */
    public synchronized List<AgentMessage> all() {
        return sent.stream().map(Sent::message).toList();
    }

    /** Every message so far with its seq and arrival time. */
    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    public synchronized int size() {
        return sent.size();
    }

    /** Forgets what was sent (seqs keep counting). */
    public synchronized void clear() {
        sent.clear();
    }

    /** Position of {@code m} among all messages, -1 if absent. */
    public synchronized int indexOf(AgentMessage m) {
        return all().indexOf(m);
    }

    public <T extends AgentMessage> List<T> of(Class<T> type) {
        return of(type, m -> true);
    }

    public <T extends AgentMessage> List<T> of(Class<T> type, Predicate<T> filter) {
        return all().stream().filter(type::isInstance).map(type::cast).filter(filter).toList();
    }

    /** The first message of {@code type} matching {@code filter}, waiting up to 10 s for it. */
    public <T extends AgentMessage> T awaitOne(Class<T> type, Predicate<T> filter) {
        return awaitOne(type, filter, Duration.ofSeconds(10));
    }

    public <T extends AgentMessage> T awaitOne(Class<T> type, Predicate<T> filter, Duration within) {
        Await.until("a " + type.getSimpleName(), within, () -> !of(type, filter).isEmpty());
        return of(type, filter).getFirst();
    }
}
