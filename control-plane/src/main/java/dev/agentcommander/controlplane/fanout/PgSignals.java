package dev.agentcommander.controlplane.fanout;

import dev.agentcommander.controlplane.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The LISTEN/NOTIFY parts of one replica, built and stopped together: one sender, one LISTEN connection, the
 * fan-out and the host notifier on top. The origin is random per start, so a replica skips exactly its own
 * notifications, also after a restart.
 */
public final class PgSignals implements AutoCloseable {
    /** How long a starting replica waits for its first LISTEN before it goes on (and keeps trying in the loop). */
    private static final Duration FIRST_LISTEN = Duration.ofSeconds(5);

    private final String origin;
    private final PgNotifySender sender;
    private final PgFanOut fanOut;
    private final PgHostNotifier notifier;
    private final PgListener listener;

    private PgSignals(Database db, Clock clock) {
        byte[] b = new byte[6];
        RandomGenerator.getDefault().nextBytes(b);
        origin = "r" + HexFormat.of().formatHex(b);
        sender = new PgNotifySender(db, origin);
        fanOut = new PgFanOut(db, sender, origin, clock);
        notifier = new PgHostNotifier(sender, origin);
        listener = new PgListener(db, Map.of(PgFanOut.CHANNEL, fanOut::received,
                PgHostNotifier.CHANNEL, notifier::received, ConsoleRelay.CHANNEL, fanOut::receivedConsole));
        listener.onReconnect(fanOut::reconnected);
        listener.onReconnect(notifier::reconnected);
    }

    /** Starts sending and listening on {@code db}. */
    public static PgSignals start(Database db, Clock clock) {
        PgSignals s = new PgSignals(db, clock);
        s.sender.start();
        s.fanOut.start();
        s.listener.start(FIRST_LISTEN);
        return s;
    }

    public PgFanOut fanOut() {
        return fanOut;
    }

    public HostNotifier notifier() {
        return notifier;
    }

    /** The LISTEN connection (health, tests). */
    public PgListener listener() {
        return listener;
    }

    /** This replica's id in every payload it sends. */
    public String origin() {
        return origin;
    }

    @Override
    public void close() {
        listener.close();
        fanOut.close();
        sender.close();
    }
}
