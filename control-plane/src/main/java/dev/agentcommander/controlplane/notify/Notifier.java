package dev.agentcommander.controlplane.notify;

import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.schema.loop.Backoff;
import dev.agentcommander.schema.loop.NamedLoop;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Notifications: queued as rows, sent by the {@code notify-worker} loop of every replica. A round derives what
 * happened (cleared approvals, waiting sessions, hosts gone, jobs done), claims due rows and sends each to its
 * channel; a failed send is retried later with the shared jittered backoff, per channel (a receiver that is down
 * is retried ever less often, up to {@link #RETRY_CAP}, until it answers or {@link #GIVE_UP_AFTER} passes). The
 * loop is its own thread and reads only rows, so a slow or failing receiver never slows ingest.
 */
public final class Notifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Notifier.class.getName());
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration DERIVE_EVERY = Duration.ofSeconds(1);
    /** Longer than a round can take to send what it claimed ({@link #BATCH} sends of at most 10 s each). */
    static final Duration LEASE = Duration.ofSeconds(150);
    static final int BATCH = 10;
    static final Duration RETRY_STEP = Duration.ofMillis(500);
    static final Duration RETRY_CAP = Duration.ofSeconds(30);
    static final Duration GIVE_UP_AFTER = Duration.ofHours(24);
    /** Finished rows are kept this long (to answer "was I told?"), then deleted. */
    static final Duration KEEP = Duration.ofDays(7);
    static final Duration PRUNE_EVERY = Duration.ofMinutes(10);

    private final NotifyConfig config;
    private final Database db;
    private final Clock clock;
    private final Supplier<String> baseUrl;
    private final List<Channel> channels;
    private final Senders senders;
    private final Map<Channel, Backoff> retries = new EnumMap<>(Channel.class);
    private final Backoff dbBackoff = Backoff.capped(Duration.ofSeconds(5));
    private Instant lastDerive = Instant.EPOCH;
    private Instant lastPrune = Instant.EPOCH;
    private NamedLoop loop;

    /** {@code baseUrl}: PUBLIC_URL, or this server's own address when it is unset (links in messages). */
    public Notifier(NotifyConfig config, Database db, Clock clock, Supplier<String> baseUrl) {
        this.config = config;
        this.db = db;
        this.clock = clock;
        this.baseUrl = baseUrl;
        this.channels = config.channels();
        this.senders = new Senders(config);
        for (Channel ch : Channel.values()) {
            retries.put(ch, new Backoff(RETRY_STEP, RETRY_CAP, RandomGenerator.getDefault(), Backoff.Sleeper.THREAD));
        }
    }

    /** Whether any channel is configured (else nothing is queued and no loop runs). */
    public boolean enabled() {
        return !channels.isEmpty();
    }

    /**
     * Queues {@code approval.pending} for a new approval, in the caller's (ingest) transaction, due after
     * {@code NOTIFY_DELAY_SECONDS}: an approval answered before then (by a rule, a person, the pane) sends nothing.
     */
    public void approvalRequested(Connection c, String approvalId) throws SQLException {
        if (!enabled()) {
            return;
        }
        Instant now = clock.instant();
        NotificationRows.enqueue(c, Kind.APPROVAL_PENDING.wire() + ":" + approvalId, Kind.APPROVAL_PENDING,
                approvalId, channels, now.plus(config.delay()), now);
    }

    public Notifier start() {
        if (enabled()) {
            loop = NamedLoop.start("notify-worker", this::round);
        }
        return this;
    }

    private void round() throws InterruptedException {
        Thread.sleep(POLL.toMillis());
        try {
            Instant now = clock.instant();
            if (!now.isBefore(lastDerive.plus(DERIVE_EVERY)) || now.isBefore(lastDerive)) {
                db.tx(c -> NotificationRows.derive(c, channels, config.waiting(), now));
                lastDerive = now;
            }
            if (!now.isBefore(lastPrune.plus(PRUNE_EVERY))) {
                db.tx(c -> NotificationRows.prune(c, now.minus(KEEP)));
                lastPrune = now;
            }
            List<NotificationRows.Claimed> due = db.tx(c -> NotificationRows.claim(c, now, LEASE, BATCH));
            for (NotificationRows.Claimed n : due) {
                deliver(n);
            }
            dbBackoff.reset();
        } catch (DbException e) {
            LOG.log(System.Logger.Level.WARNING, "notify-worker: database unavailable, retrying: " + e.getMessage());
            dbBackoff.pause();
        }
    }

    private void deliver(NotificationRows.Claimed n) throws InterruptedException {
        Instant now = clock.instant();
        Content.Message m = db.tx(c -> Content.render(c, n, baseUrl.get(), now));
        if (m == null) {
            db.tx(c -> {
                NotificationRows.finish(c, n, "skipped", now, null, null);
                return null;
            });
            return;
        }
        try {
            senders.send(n.channel(), n.kind(), m);
            retries.get(n.channel()).reset();
            db.tx(c -> {
                NotificationRows.finish(c, n, "sent", clock.instant(), null, null);
                return null;
            });
        } catch (Senders.Failed f) {
            Instant later = clock.instant();
            boolean giveUp = later.isAfter(n.createdAt().plus(GIVE_UP_AFTER));
            Duration wait = retries.get(n.channel()).next();
            LOG.log(System.Logger.Level.WARNING, "notification " + n.id() + " (" + n.channel().wire() + ", attempt "
                    + n.attempts() + ") failed: " + f.getMessage() + (giveUp ? "; giving up" : "; retrying in "
                    + wait.toMillis() + " ms"));
            db.tx(c -> {
                NotificationRows.finish(c, n, giveUp ? "failed" : "pending", later, later.plus(wait), f.getMessage());
                return null;
            });
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
