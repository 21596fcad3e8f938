package dev.agentcommander.agentd;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per record on stderr (journald adds its own timestamp, but foreground runs want one). */
public final class LogFormat extends Formatter {
    @Override
    public String format(LogRecord r) {
        String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
        logger = logger.substring(logger.lastIndexOf('.') + 1);
        StringBuilder sb = new StringBuilder().append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                .append(r.getLevel().getName()).append(' ').append(logger).append(": ")
                .append(formatMessage(r).replace('\n', ' '));
        if (r.getThrown() != null) {
            StringWriter sw = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(sw));
            sb.append(" | ").append(sw.toString().strip().replace("\n", " | "));
        }
        return sb.append('\n').toString();
    }

    /** Replaces the root handlers with one stderr handler using this format. */
    public static void install(Level level) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler(); // writes to System.err
        h.setFormatter(new LogFormat());
        h.setLevel(level);
        root.addHandler(h);
        root.setLevel(level);
    }
}
