package dev.agentcommander.controlplane.fanout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.EventRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.loop.Backoff;
import dev.agentcommander.schema.loop.NamedLoop;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * Fan-out across replicas on one Postgres. A change is published to this replica's listeners at once (with the
 * row in hand) and its id is sent on channel {@value #CHANNEL} ({@link PgNotifySender}). Another replica's ids
 * arrive on the LISTEN connection ({@link PgListener}); a named loop reads those rows back in one transaction and
 * publishes them to the listeners here, as if ingested here. Ids of this replica's own changes are skipped by
 * their origin. When the LISTEN connection was down, or ids were dropped anywhere, listeners get
 * {@link FanOut.Resync}: re-read, do not trust what you hold.
 *
 * <p>Ids: {@code s/<session>} changed, {@code r/<host>/<session>} removed, {@code e/<host>/<seq>} event appended,
 * {@code a/<approval>} changed, {@code h/<host>} connected, {@code *} everything. Console frames go through
 * {@link ConsoleRelay}, only to replicas that watch them.
 */
public final class PgFanOut implements FanOut, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PgFanOut.class.getName());
    public static final String CHANNEL = "ac_fanout";
    static final int INBOX = 8192;

    private final InProcessFanOut local = new InProcessFanOut();
    private final Database db;
    private final PgNotifySender sender;
    private final ConsoleRelay console;
    private final String origin;
    private final BlockingQueue<String> inbox = new ArrayBlockingQueue<>(INBOX);
    private final Backoff backoff = Backoff.capped(Duration.ofSeconds(2));
    private final List<String> pending = new ArrayList<>();
    private volatile boolean missed;
    private NamedLoop loop;

    /** {@code origin}: this replica's id, the first word of every payload it sends. */
    public PgFanOut(Database db, PgNotifySender sender, String origin, Clock clock) {
        this.db = db;
        this.sender = sender;
        this.origin = origin;
        this.console = new ConsoleRelay(sender, origin, local::publish, clock);
    }

    /**
     * Console frames of hosts held here are relayed to other replicas unless {@code own(sessionId,
     * subscriptionId)}: a stream of this replica asked for them ({@link ConsoleRelay}).
     */
    public void relayConsoleUnless(BiPredicate<String, String> own) {
        console.relayUnless(own);
    }

    /** A console piece from the LISTEN connection. */
    public void receivedConsole(String payload) {
        console.received(payload);
    }

    public PgFanOut start() {
        loop = NamedLoop.start("fanout-read", this::round);
        return this;
    }

    @Override
    public void publish(Change change) {
        local.publish(change);
        String id = switch (change) {
            case SessionChanged c -> "s/" + c.session().sessionId();
            case SessionRemoved r -> "r/" + r.hostId() + "/" + r.sessionId();
            case EventAppended e -> "e/" + e.event().path("host_id").asText() + "/" + e.event().path("seq").asLong();
            case ApprovalChanged a -> "a/" + a.approval().path("id").asText();
            case HostConnected h -> "h/" + h.hostId();
            case Console c -> {
                console.published(c);
                yield null;
            }
            case Resync r -> null;
        };
        if (id != null) {
            sender.send(CHANNEL, id);
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<Change> listener) {
        return local.subscribe(listener);
    }

    /** A payload from the LISTEN connection (its loop: only queues). */
    public void received(String payload) {
        if (payload == null || payload.startsWith(origin + " ") || payload.equals(origin)) {
            return;
        }
        if (!inbox.offer(payload)) {
            missed = true; // the reader is far behind: re-reading everything is cheaper than a growing queue
        }
    }

    /** The LISTEN connection came back: what was sent meanwhile is lost. */
    public void reconnected() {
        missed = true;
    }

    private void round() throws InterruptedException {
        if (pending.isEmpty()) {
            String first = inbox.poll(250, TimeUnit.MILLISECONDS);
            if (first != null) {
                pending.add(first);
                inbox.drainTo(pending, 255);
            }
        }
        if (missed) {
            // subscribers re-read at once: only when Postgres answers (right after a restart the pool may still
            // hand out dead connections), else their one catch-up would fail
            try {
                db.tx(c -> {
                    try (var st = c.createStatement()) {
                        return st.execute("SELECT 1"); // a dead connection throws (and the pool drops it)
                    }
                });
                backoff.reset();
            } catch (DbException e) {
                backoff.pause();
                return;
            }
            missed = false;
            pending.clear();
            inbox.clear();
            local.publish(new Resync());
            return;
        }
        if (pending.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>();
        for (String p : pending) {
            List<String> words = PgListener.items(p);
            ids.addAll(words.subList(Math.min(1, words.size()), words.size()));
        }
        if (ids.contains(PgNotifySender.EVERYTHING)) {
            pending.clear();
            local.publish(new Resync());
            return;
        }
        List<Change> changes;
        try {
            changes = db.tx(c -> read(c, ids));
            backoff.reset();
        } catch (DbException e) {
            LOG.log(System.Logger.Level.WARNING, "reading " + ids.size() + " changes of other replicas failed, "
                    + "retrying: " + e.getMessage());
            backoff.pause();
            return;
        }
        pending.clear();
        changes.forEach(local::publish);
    }

    /** The rows behind {@code ids}, in order; ids whose row is gone (deleted since) give nothing. */
    static List<Change> read(Connection c, List<String> ids) throws SQLException {
        List<Change> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            String[] p = id.split("/", 3);
            if (!valid(p)) {
                LOG.log(System.Logger.Level.DEBUG, "fan-out id not understood, skipped");
                continue;
            }
            switch (p[0]) {
                case "s" -> {
                    Session s = SessionRows.find(c, p[1]);
                    if (s != null) {
                        out.add(new SessionChanged(s));
                    }
                }
                case "r" -> out.add(new SessionRemoved(p[1], p[2]));
                case "h" -> out.add(new HostConnected(p[1]));
                case "e" -> {
                    ObjectNode ev = EventRows.findBySeq(c, p[1], Long.parseLong(p[2]));
                    if (ev != null) {
                        out.add(new EventAppended(ev.path("session_id").asText(null), ev));
                    }
                }
                case "a" -> {
                    ObjectNode a = ApprovalRows.find(c, p[1]);
                    if (a != null) {
                        out.add(new ApprovalChanged(a));
                    }
                }
                default -> { }
            }
        }
        return out;
    }

    /** Lenient on the wire: an id of another build's kind is skipped, never crashes the reader. */
    private static boolean valid(String[] p) {
        return switch (p[0]) {
            case "s", "a", "h" -> p.length == 2 && Ids.isOpaque(p[1]);
            case "r" -> p.length == 3 && Ids.isOpaque(p[1]) && Ids.isOpaque(p[2]);
            case "e" -> p.length == 3 && Ids.isOpaque(p[1]) && p[2].matches("[0-9]{1,18}");
            default -> false;
        };
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
