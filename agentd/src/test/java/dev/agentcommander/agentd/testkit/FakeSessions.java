package dev.agentcommander.agentd.testkit;

import dev.agentcommander.agentd.panes.SessionDirectory;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionKind;
import dev.agentcommander.schema.SessionStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A session directory tests fill by hand (no scanner), counting how often it was asked to rescan. */
public final class FakeSessions implements SessionDirectory {
    private final Map<String, Session> byPane = new ConcurrentHashMap<>();
    private final AtomicInteger pokes = new AtomicInteger();

    /** Registers pane {@code paneId} as session {@code s-N} (for pane {@code %N}); returns the session id. */
    public String register(String paneId, Provider provider) {
        String id = "s-" + paneId.substring(1);
        add(paneId, id, provider, SessionStatus.IDLE);
        return id;
    }

    /** Registers pane {@code paneId} as a running Claude session {@code sessionId}. */
    public void add(String paneId, String sessionId) {
        add(paneId, sessionId, Provider.CLAUDE, SessionStatus.RUNNING);
    }

    public void add(String paneId, String sessionId, Provider provider, SessionStatus status) {
        byPane.put(paneId, new Session(sessionId, null, SessionKind.PANE, provider, status, false, sessionId,
                new Session.Tmux(PrivateTmux.SESSION, "0", paneId), "/tmp", null, null, Instant.now(),
                Instant.now()));
    }

    /** How many times {@link #poke()} was called. */
    public int pokes() {
        return pokes.get();
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
