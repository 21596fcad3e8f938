package dev.agentcommander.controlplane.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log lines of one logger (System.Logger goes to java.util.logging here), for tests whose marker is a step the
 * server logs: "ingest tried this batch and failed" is the moment to check that no ack went out.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            messages.add(r.getLevel() + " " + r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        logger = Logger.getLogger(name); // held: java.util.logging keeps loggers weakly
        logger.addHandler(handler);
    }

    /** Captures what the class named {@code loggerName} logs from now on ({@code ""}: every logger). */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** The next captured line matching {@code p} (others are skipped), as "LEVEL message". */
    public String await(Predicate<String> p) {
        long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String m = messages.poll(50, TimeUnit.MILLISECONDS);
                if (m != null && p.test(m)) {
                    return m;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no matching log line from " + logger.getName() + " within "
                + Await.TIMEOUT.toSeconds() + " s");
    }

    /**
     * Every line captured and not yet awaited, oldest first, and forgets them. Logging is synchronous, so once a
     * reply has arrived, whatever its handler logged is here: an empty list then means it logged nothing.
     */
    public List<String> drain() {
        List<String> out = new ArrayList<>();
        messages.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
