package dev.agentcommander.schema.loop;

import java.time.Duration;
import java.util.Objects;

/**
 * A named virtual thread that runs one body over and over until it is closed: the start / stop / interrupt /
 * join that every long-lived loop of agentd and the control plane needs, written once. The name is what a thread
 * dump and JFR show, so every loop has one.
 *
 * <p>The body runs one round; it returns normally to be called again, and throws {@link InterruptedException}
 * (or sees {@link #running()} false) when the loop is closing. A {@link RuntimeException} from a round is given
 * to the error handler and the loop goes on: one bad round must not end a daemon's loop silently.
 */
public final class NamedLoop implements AutoCloseable {
    /** One round of the loop. */
    @FunctionalInterface
    public interface Round {
        void run() throws InterruptedException;
    }

    /** Told of a round that threw; the loop continues after it. */
    @FunctionalInterface
    public interface Errors {
        void failed(String loop, RuntimeException e);

        Errors LOG = (loop, e) -> System.getLogger(NamedLoop.class.getName()).log(System.Logger.Level.WARNING,
                loop + ": " + e.getMessage(), e);
    }

    private static final Duration JOIN = Duration.ofSeconds(3);

    private final String name;
    private final Round round;
    private final Errors errors;
    private volatile boolean running = true;
    private final Thread thread;

    private NamedLoop(String name, Round round, Errors errors) {
        this.name = Objects.requireNonNull(name);
        this.round = Objects.requireNonNull(round);
        this.errors = Objects.requireNonNull(errors);
        this.thread = Thread.ofVirtual().name(name).unstarted(this::loop);
    }

    /** Starts {@code round} on a virtual thread called {@code name}; failed rounds are logged. */
    public static NamedLoop start(String name, Round round) {
        return start(name, round, Errors.LOG);
    }

    public static NamedLoop start(String name, Round round, Errors errors) {
        NamedLoop l = new NamedLoop(name, round, errors);
        l.thread.start();
        return l;
    }

    private void loop() {
        while (running) {
            try {
                round.run();
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                // an interrupt not meant as a stop (a cancelled wait): go on with the next round
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                errors.failed(name, e);
            }
        }
    }

    /** Whether the loop has not been asked to stop (for bodies that wait in loops of their own). */
    public boolean running() {
        return running;
    }

    public String name() {
        return name;
    }

    /** Whether the calling thread is this loop's own (a body closing its own loop must not join itself). */
    public boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** Stops the loop: no new round starts, a waiting round is interrupted, and the thread is joined (3 s). */
    @Override
    public void close() {
        running = false;
        if (isCurrent()) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(JOIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
