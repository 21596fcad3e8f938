package dev.agentcommander.controlplane.db;

import dev.agentcommander.schema.loop.NamedLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Keeps the embedded Postgres running: the postmaster is this JVM's child, so its death (the OOM killer, a crash,
 * a stray {@code kill -9}) is known the moment it happens. The supervisor then drops the pool's connections, starts
 * the server again on the same data directory and port (crash recovery replays the WAL; with fsync on, everything
 * committed is there) with backoff between attempts, and gives the database a fresh pool. While it is down,
 * {@code /health} says {@code restarting} and why. If it has not come back within {@code giveUp}, the supervisor
 * says so ({@code failed}, in the log and {@code /health}) and calls {@code onGiveUp}, which ends the process with a
 * non-zero status so that a service manager, or a person, takes over.
 */
public final class PostgresSupervisor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PostgresSupervisor.class.getName());

    private final EmbeddedDatabase pg;
    private final Database db;
    private final Duration giveUp;
    private final Clock clock;
    private final Consumer<String> onGiveUp;
    private volatile DatabaseHealth state;
    private volatile int restarts;
    private final NamedLoop loop;

    private PostgresSupervisor(EmbeddedDatabase pg, Database db, Duration giveUp, Clock clock,
                               Consumer<String> onGiveUp) {
        this.pg = pg;
        this.db = db;
        this.giveUp = giveUp;
        this.clock = clock;
        this.onGiveUp = onGiveUp;
        db.reportFrom(() -> state);
        this.loop = NamedLoop.start("db-supervisor", this::watch);
    }

    /** Starts watching {@code pg}; {@code onGiveUp} gets a one-line reason when it does not come back in time. */
    public static PostgresSupervisor start(EmbeddedDatabase pg, Database db, Duration giveUp, Clock clock,
                                           Consumer<String> onGiveUp) {
        return new PostgresSupervisor(pg, db, giveUp, clock, onGiveUp);
    }

    /** Restarts done so far. */
    public int restarts() {
        return restarts;
    }

    /** One round: wait for the postmaster to die, then bring it back (or give up). */
    private void watch() throws InterruptedException {
        Process p = pg.process();
        int exit;
        try {
            exit = p.onExit().get().exitValue();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (!loop.running()) {
            return;
        }
        Instant died = clock.instant();
        String death = "embedded Postgres (pid " + p.pid() + ") " + PgLog.exit(exit);
        LOG.log(System.Logger.Level.WARNING, death + "; restarting it on " + pg.dataDir());
        state = health("restarting", death + "; restarting");
        db.evictAll();
        try {
            pg.bringUp(giveUp, (attempt, why, next) -> {
                state = health("restarting", death + "; restart attempt " + attempt + " failed: " + why);
                LOG.log(System.Logger.Level.WARNING, "embedded Postgres restart attempt " + attempt + " failed: " + why
                        + "; next in " + next.toMillis() + " ms, giving up " + giveUp.toSeconds() + " s after it died");
            });
        } catch (StartupException e) {
            if (!loop.running()) {
                return;
            }
            String why = death + " and did not come back within " + giveUp.toSeconds() + " s: " + e.getMessage();
            state = health("failed", why);
            LOG.log(System.Logger.Level.ERROR, why + "; exiting so that a service manager (or you) can take over");
            loop.close();
            onGiveUp.accept(why);
            return;
        }
        db.reopen();
        restarts++;
        state = null;
        LOG.log(System.Logger.Level.INFO, "embedded Postgres is back (pid " + pg.process().pid() + ") "
                + Duration.between(died, clock.instant()).toMillis() + " ms after it " + PgLog.exit(exit)
                + "; restarts so far: " + restarts);
    }

    /** /health is unauthenticated: it names the data directory {@code DATA_DIR}, not its path on this machine. */
    private DatabaseHealth health(String db, String reason) {
        return new DatabaseHealth(db, reason.replace(pg.dataDir().getParent().toString(), "DATA_DIR"));
    }

    @Override
    public void close() {
        loop.close();
    }
}
