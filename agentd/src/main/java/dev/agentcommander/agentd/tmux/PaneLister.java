package dev.agentcommander.agentd.tmux;

import dev.agentcommander.schema.loop.Backoff;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * The scanner's pane listing over one long-lived control-mode client instead of a tmux process per poll: spawning
 * the client was most of an idle poll's cost (a fork and exec of tmux, two drain threads, the reaper), every second,
 * for a listing that rarely changes. The client attaches with {@code no-output} (no pane output reaches it) and
 * {@code ignore-size} (it never resizes a window), to the session tmux picks; it shows in {@code list-clients} and
 * makes that session count as attached (docs/design-notes.md, "The scanner lists panes over control mode").
 *
 * <p>The listing is the same unforgeable {@link PaneTable} (a fresh token per listing, sent on the client's stdin,
 * exact field counts, pane ids checked), and it must also be whole ({@link PaneTable#parseWhole}): a pane's text can
 * hold a line that looks like the reply's {@code %end}. Anything else — no server, a server restarted or gone, an
 * attach tmux refuses (tmux before 3.2 has no {@code -f}), a reply that is an error, late or not whole — drops the
 * client, answers this poll through {@link Tmux#listPanes()} (one process, as before), and tries control mode again
 * after a backoff, so the listing is never less exact than the process path.
 */
public final class PaneLister implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PaneLister.class.getName());
    private static final String FLAGS = "no-output,ignore-size";
    private static final long REPLY_SECONDS = 10;
    private static final ControlClient.Listener QUIET = new ControlClient.Listener() {
        @Override
        public void onOutput(String paneId, byte[] data, int len) {
        }

        @Override
        public void onExit(ControlClient client) {
        }
    };

    private final Tmux tmux;
    private final Clock clock;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1),
            RandomGenerator.getDefault(), Backoff.Sleeper.THREAD);
    private ControlClient client; // guarded by this
    private Instant retryAt = Instant.MIN;
    private long controlListings;
    private boolean closed;

    public PaneLister(Tmux tmux, Clock clock) {
        this.tmux = tmux;
        this.clock = clock;
    }

    /** Every pane on the server, once each (as {@link Tmux#listPanes()}); empty when no server is running. */
    public synchronized List<Pane> listPanes() {
        List<Pane> panes = closed ? null : overControl();
        return panes != null ? panes : tmux.listPanes();
    }

    /** How many listings control mode answered (tests and the benchmark read it). */
    public synchronized long controlListings() {
        return controlListings;
    }

    private List<Pane> overControl() {
        if (client != null && !client.isAlive()) {
            drop(); // the server went away or restarted, or the client's session ended: attach anew
        }
        if (client == null) {
            if (clock.instant().isBefore(retryAt)) {
                return null;
            }
            try {
                client = new ControlClient(tmux, null, QUIET, FLAGS);
            } catch (TmuxException e) {
                return failed("cannot start: " + e.getMessage());
            }
        }
        PaneTable table = PaneTable.fresh();
        CompletableFuture<List<ControlClient.Reply>> reply = new CompletableFuture<>();
        try {
            client.command(table.line(), 1, reply::complete);
        } catch (TmuxException e) {
            return failed(e.getMessage());
        }
        List<ControlClient.Reply> replies;
        try {
            replies = reply.get(REPLY_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return failed("no reply in " + REPLY_SECONDS + " s");
        } catch (ExecutionException e) {
            return failed(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            drop();
            Thread.currentThread().interrupt();
            throw new TmuxException("interrupted while listing panes", e);
        }
        if (replies.size() != 1) {
            return failed("the client ended"); // no server, an attach refused, or the server went away meanwhile
        }
        if (replies.get(0).error()) {
            return failed("list-panes failed: " + replies.get(0).text().strip());
        }
        List<Pane> panes = table.parseWhole(replies.get(0).text());
        if (panes == null) {
            return failed("a reply that was not a whole listing");
        }
        backoff.reset();
        controlListings++;
        return panes;
    }

    private List<Pane> failed(String why) {
        drop();
        Duration wait = backoff.next();
        retryAt = clock.instant().plus(wait);
        LOG.log(Level.DEBUG, () -> "pane listing over control mode: " + why + "; one tmux process per poll for "
                + wait.toMillis() + " ms");
        return null;
    }

    private void drop() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** Detaches the control client; later listings use a tmux process. */
    @Override
    public synchronized void close() {
        closed = true;
        drop();
    }
}
