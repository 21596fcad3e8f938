package dev.agentcommander.agentd;

import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.AgentMessage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Placeholder console until the streaming console is merged: a subscribe sends one snapshot of the pane
 * ({@code capture-pane -p -e -J}) and no live chunks. Real, but static; Main wires it until the lead swaps it.
 */
public final class SnapshotConsole implements Console {
    private static final Logger LOG = Logger.getLogger(SnapshotConsole.class.getName());

    private final Tmux tmux;
    private final Outbound out;
    private final SessionDirectory sessions;
    private final Map<String, Set<String>> subs = new ConcurrentHashMap<>();

    public SnapshotConsole(Tmux tmux, Outbound out, SessionDirectory sessions) {
        this.tmux = tmux;
        this.out = out;
        this.sessions = sessions;
    }

    @Override
    public void subscribe(String sessionId, String subscriptionId) {
        var s = sessions.bySessionId(sessionId).orElseThrow(
                () -> new IllegalArgumentException("unknown session " + sessionId));
        String pane = s.tmux().paneId();
        subs.computeIfAbsent(sessionId, k -> ConcurrentHashMap.newKeySet()).add(subscriptionId);
        try {
            String[] geo = tmux.run("display-message", "-p", "-t", pane,
                    "#{pane_width} #{pane_height} #{cursor_x} #{cursor_y}").strip().split(" ");
            String screen = tmux.run("capture-pane", "-p", "-e", "-J", "-t", pane);
            out.send(new AgentMessage.Snapshot(sessionId, subscriptionId, Integer.parseInt(geo[0]),
                    Integer.parseInt(geo[1]), Integer.parseInt(geo[2]), Integer.parseInt(geo[3]),
                    Base64.getEncoder().encodeToString(screen.getBytes(StandardCharsets.UTF_8))));
        } catch (RuntimeException e) {
            LOG.warning("snapshot of " + pane + " failed: " + e.getMessage());
            throw e;
        }
    }

    @Override
    public void unsubscribe(String sessionId, String subscriptionId) {
        subs.computeIfPresent(sessionId, (k, v) -> {
            v.remove(subscriptionId);
            return v.isEmpty() ? null : v;
        });
    }

    @Override
    public int subscriberCount(String sessionId) {
        Set<String> s = subs.get(sessionId);
        return s == null ? 0 : s.size();
    }

    @Override
    public void close() {
        subs.clear();
    }
}
