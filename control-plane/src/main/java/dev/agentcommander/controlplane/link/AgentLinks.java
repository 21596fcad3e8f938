package dev.agentcommander.controlplane.link;

import dev.agentcommander.schema.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The agent sockets this replica holds, one per host. A newer connection (higher epoch) replaces an older one,
 * which is closed; an older one arriving late is refused. Nothing else lives here: rows live in Postgres, and so
 * does whether a host is connected ({@link HostPresence}, told here when a socket goes away).
 */
public final class AgentLinks {
    private final ConcurrentMap<String, AgentConnection> byHost = new ConcurrentHashMap<>();
    private final HostPresence presence;

    public AgentLinks(HostPresence presence) {
        this.presence = presence;
    }

    /** Registers {@code conn}; false when a newer connection of the same host is already here. */
    boolean register(AgentConnection conn) {
        AgentConnection[] loser = new AgentConnection[1];
        AgentConnection winner = byHost.merge(conn.hostId(), conn, (old, neu) -> {
            if (old.epoch() > neu.epoch()) {
                loser[0] = neu;
                return old;
            }
            loser[0] = old;
            return neu;
        });
        if (loser[0] != null && loser[0] != winner) {
            loser[0].close(AgentConnection.SUPERSEDED);
        }
        return winner == conn;
    }

    /** The socket of {@code conn} closed (either side): forget it, and the host is offline unless newer. */
    void unregister(AgentConnection conn) {
        byHost.remove(conn.hostId(), conn);
        presence.disconnected(conn);
    }

    /** Closes the host's socket (deleted host, rotated token). */
    public void disconnect(String hostId, CloseReason reason) {
        AgentConnection c = byHost.remove(hostId);
        if (c != null) {
            c.close(reason);
            presence.disconnected(c);
        }
    }

    /**
     * {@link #disconnect(String, CloseReason)} with a reason in its wire form ({@code "unauthorized: host deleted"}),
     * read by {@link CloseReason#parse}: for callers that still pass text.
     */
    public void disconnect(String hostId, String reason) {
        disconnect(hostId, CloseReason.parse(1008, reason));
    }

    /** How many hosts have their socket on this replica. */
    public int connected() {
        return byHost.size();
    }

    public void wake(String hostId) {
        AgentConnection c = byHost.get(hostId);
        if (c != null) {
            c.wake();
        }
    }

    /** Every host held here looks for queued work (signals for them may have been lost). */
    public void wakeAll() {
        byHost.values().forEach(AgentConnection::wake);
    }

    public void closeAll() {
        List<AgentConnection> closed = new ArrayList<>();
        for (AgentConnection c : List.copyOf(byHost.values())) {
            byHost.remove(c.hostId(), c);
            c.close(CloseReason.of(CloseReason.Kind.GOING_AWAY, "control plane shutting down"));
            closed.add(c);
        }
        presence.disconnected(closed);
    }
}
