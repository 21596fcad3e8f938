package dev.agentcommander.controlplane.link;

import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.CommandRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The delivery loop of an agent connection: reads queued commands and undelivered decisions from Postgres and
 * sends them in creation order. The first round after a (re)connect resends everything not yet completed or
 * resolved, because the agent may have lost it; agentd treats command and approval ids as idempotency keys.
 */
final class Delivery {
    private static final System.Logger LOG = System.getLogger(Delivery.class.getName());
    /** A person is waiting for the command: retry at least every 2 s (±50 %) until Postgres answers again. */
    private static final Duration RETRY_CAP = Duration.ofSeconds(2);

    private final AgentConnection conn;
    private final Database db;
    private final Clock clock;
    private final Backoff backoff = Backoff.capped(RETRY_CAP);

    Delivery(AgentConnection conn, Database db, Clock clock) {
        this.conn = conn;
        this.db = db;
        this.clock = clock;
    }

    /** One round of the loop: waits to be woken, then sends what is queued; a database failure is retried. */
    void round() throws InterruptedException {
        Boolean all = conn.awaitWork();
        if (all == null) {
            return;
        }
        try {
            deliver(all);
            backoff.reset();
        } catch (DbException e) {
            if (conn.closed()) {
                return; // interrupted by the close: nothing to retry
            }
            LOG.log(System.Logger.Level.WARNING, "delivery to host " + conn.hostId() + " failed: " + e.getMessage());
            backoff.pause();
            conn.retryLater(all);
        }
    }

    /** A round that threw: close the link rather than leave commands undelivered on an open socket. */
    void failed(String loop, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "delivery to host " + conn.hostId() + " failed; closing the link", e);
        conn.close(CloseReason.of(CloseReason.Kind.INTERNAL, "error while delivering; reconnect"));
    }

    private void deliver(boolean all) {
        String host = conn.hostId();
        long epoch = conn.epoch();
        Instant checkedAt = clock.instant();
        List<CommandRows.Pending> commands = db.tx(c -> HostRows.holdsEpoch(c, host, epoch)
                ? CommandRows.pending(c, host, all) : null);
        if (commands == null) {
            conn.close(AgentConnection.SUPERSEDED); // rotated token or a newer connection, maybe on another replica
            return;
        }
        conn.epochConfirmed(checkedAt);
        // all sent, then marked in one transaction (one per command made a hundred console subscribes take
        // seconds on a busy database); a crash in between only means they are sent again, idempotent by id
        List<String> sent = new ArrayList<>(commands.size());
        for (CommandRows.Pending p : commands) {
            if (!conn.send(new ServerMessage.Command(p.id(), p.name(), p.args()))) {
                break;
            }
            sent.add(p.id());
        }
        if (!sent.isEmpty()) {
            db.tx(c -> {
                Instant now = clock.instant();
                for (String id : sent) {
                    CommandRows.markSent(c, id, now);
                }
                return null;
            });
        }
        if (sent.size() < commands.size()) {
            return;
        }
        List<ApprovalRows.Decision> decisions = db.tx(c -> ApprovalRows.undelivered(c, host, all));
        for (ApprovalRows.Decision d : decisions) {
            if (!conn.send(new ServerMessage.ApprovalDecision(d.id(), d.behavior(), d.message(), d.updatedInput(),
                    d.updatedPermissions()))) {
                return;
            }
            db.tx(c -> {
                ApprovalRows.markDelivered(c, d.id(), clock.instant());
                return null;
            });
        }
    }
}
