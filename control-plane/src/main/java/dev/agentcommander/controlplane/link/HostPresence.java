package dev.agentcommander.controlplane.link;

import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.schema.Session;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a host is connected, as every replica sees it: the handshake marks the host row connected by its epoch
 * ({@link HostRows#handshake}), the socket's close clears it unless a newer socket holds the host already, and a
 * rotated token reads as disconnected at once (the epoch moved on). Each change is told to dashboards as a
 * {@code sessions.changed} for every session of the host, which now carries the new {@code host_connected}.
 */
public final class HostPresence {
    private static final System.Logger LOG = System.getLogger(HostPresence.class.getName());

    private final Database db;
    private final FanOut fanOut;

    public HostPresence(Database db, FanOut fanOut) {
        this.db = db;
        this.fanOut = fanOut;
    }

    /** The socket of {@code conn} is gone: the host is offline unless a newer socket holds it. */
    void disconnected(AgentConnection conn) {
        disconnected(List.of(conn));
    }

    /**
     * Several sockets gone at once (the replica is stopping): one transaction, so an unreachable database costs one
     * connection timeout, not one per host. Each row also gets its socket's last ack
     * ({@link HostRows#disconnected}).
     */
    void disconnected(List<AgentConnection> conns) {
        if (conns.isEmpty()) {
            return;
        }
        List<String> changed;
        try {
            changed = db.tx(c -> {
                List<String> out = new ArrayList<>();
                for (AgentConnection conn : conns) {
                    if (HostRows.disconnected(c, conn.hostId(), conn.epoch(), conn.ackedSeq())) {
                        out.add(conn.hostId());
                    }
                }
                return out;
            });
        } catch (DbException e) {
            // the rows keep saying connected until the hosts' next handshake, and resume from their last commit
            LOG.log(System.Logger.Level.WARNING, "disconnect of " + conns.stream().map(AgentConnection::hostId)
                    .toList() + " not recorded: " + e.getMessage());
            return;
        }
        changed.forEach(this::changed);
    }

    /** Tells dashboards the host's sessions as they are now (after a handshake, a disconnect, a rotated token). */
    public void changed(String hostId) {
        List<Session> sessions;
        try {
            sessions = db.tx(c -> SessionRows.ofHost(c, hostId));
        } catch (DbException e) {
            LOG.log(System.Logger.Level.WARNING, "host " + hostId + ": sessions not re-sent: " + e.getMessage());
            return;
        }
        sessions.forEach(s -> fanOut.publish(new FanOut.SessionChanged(s)));
    }
}
