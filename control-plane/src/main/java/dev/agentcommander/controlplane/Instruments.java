package dev.agentcommander.controlplane;

import dev.agentcommander.controlplane.db.Backlogs;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.link.AgentLinks;
import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.controlplane.ui.UiQuotas;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.ToDoubleFunction;

/**
 * Binds what the parts already count to {@link Metrics}, read at scrape time: agent sockets, UI sockets and
 * subscriptions, console drops, the connection pool, and the Postgres-held queues (pending approvals,
 * notifications). The queues cost a query, so they are read at most every {@link #BACKLOG_TTL} however often
 * Prometheus scrapes (and from every replica: they are the same rows), and read as NaN while the database is away.
 */
final class Instruments {
    static final Duration BACKLOG_TTL = Duration.ofSeconds(5);

    private final Database db;
    private final Clock clock;
    private Backlogs backlogs;
    private Instant readAt = Instant.EPOCH;

    private Instruments(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    static void bind(Metrics m, Database db, AgentLinks links, UiQuotas ui, Clock clock) {
        if (!m.enabled()) {
            return;
        }
        Instruments in = new Instruments(db, clock);
        m.gauge("agentcommander.agent.connections", "Hosts whose agent socket this replica holds",
                links::connected);
        m.gauge("agentcommander.ui.sockets", "Dashboard WebSockets open on this replica", ui::sockets);
        m.gauge("agentcommander.ui.subscriptions", "Subscriptions on this replica's dashboard sockets",
                () -> ui.stats().subscriptions());
        m.counter("agentcommander.console.dropped.bytes", "Console output dropped for viewers that fell behind",
                () -> ui.stats().consoleDroppedBytes());
        m.counter("agentcommander.console.skips", "Times a viewer's console was cut (console.skipped)",
                () -> ui.stats().consoleSkips());
        m.gauge("agentcommander.db.pool.active", "Pooled Postgres connections in use", () -> db.poolStats().active());
        m.gauge("agentcommander.db.pool.idle", "Pooled Postgres connections idle", () -> db.poolStats().idle());
        m.gauge("agentcommander.db.pool.max", "The connection pool's bound", () -> db.poolStats().max());
        m.gauge("agentcommander.db.pool.waiting", "Callers waiting for a pooled connection",
                () -> db.poolStats().waiting());
        m.gauge("agentcommander.approvals.pending", "Approvals waiting for a decision (all hosts)",
                () -> in.backlog(Backlogs::pendingApprovals));
        m.gauge("agentcommander.notifications.pending", "Notifications queued and not yet sent (all replicas)",
                () -> in.backlog(Backlogs::pendingNotifications));
    }

    private synchronized double backlog(ToDoubleFunction<Backlogs> f) {
        Instant now = clock.instant();
        if (backlogs == null || !now.isBefore(readAt.plus(BACKLOG_TTL)) || now.isBefore(readAt)) {
            readAt = now;
            try {
                backlogs = db.tx(c -> Backlogs.read(c, now));
            } catch (DbException e) {
                backlogs = null;
                return Double.NaN;
            }
        }
        return backlogs == null ? Double.NaN : f.applyAsDouble(backlogs);
    }
}
