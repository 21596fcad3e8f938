package dev.agentcommander.agentd.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.Outbound;
import dev.agentcommander.agentd.SessionDirectory;
import dev.agentcommander.agentd.StatusDetector;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionKind;
import dev.agentcommander.schema.SessionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** The seams around the hook path, recorded in memory (the outbox itself is another helper's part). */
final class Fakes {
    private Fakes() {
    }

    static final class RecordingOutbound implements Outbound {
        final List<AgentMessage> sent = new ArrayList<>();

        @Override
        public synchronized long send(AgentMessage message) {
            sent.add(message);
            return sent.size();
        }

        synchronized List<AgentMessage> all() {
            return List.copyOf(sent);
        }

        <T extends AgentMessage> List<T> of(Class<T> type) {
            return all().stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends AgentMessage> T awaitOne(Class<T> type, Predicate<T> filter) {
            awaitTrue(() -> of(type).stream().anyMatch(filter), Duration.ofSeconds(10), "a " + type.getSimpleName());
            return of(type).stream().filter(filter).findFirst().orElseThrow();
        }
    }

    static final class RecordingStatus implements StatusDetector {
        record Call(String paneId, String eventName, JsonNode input) {
        }

        final List<Call> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Verdict detect(Pane pane, Provider provider) {
            return new Verdict(SessionStatus.IDLE, false);
        }

        @Override
        public void hookEvent(String paneId, String eventName, JsonNode input) {
            calls.add(new Call(paneId, eventName, input));
        }

        @Override
        public void forget(String paneId) {
        }
    }

    static final class MapDirectory implements SessionDirectory {
        final Map<String, Session> byPane = new ConcurrentHashMap<>();
        final AtomicInteger pokes = new AtomicInteger();

        void add(String paneId, String sessionId) {
            byPane.put(paneId, new Session(sessionId, null, SessionKind.PANE, Provider.CLAUDE, SessionStatus.RUNNING,
                    false, "s", new Session.Tmux("s", "0", paneId), "/tmp", null, null, Instant.now(),
                    Instant.now()));
        }

        @Override
        public Optional<Session> bySessionId(String sessionId) {
            return byPane.values().stream().filter(s -> s.sessionId().equals(sessionId)).findFirst();
        }

        @Override
        public Optional<Session> byPaneId(String paneId) {
            return Optional.ofNullable(byPane.get(paneId));
        }

        @Override
        public void poke() {
            pokes.incrementAndGet();
        }
    }

    static void awaitTrue(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }
}
