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

/**
 * One line per record on stderr (journald adds its own timestamp, but foreground runs want one). agentd logs
 * through {@code System.Logger}; the JDK backs that with java.util.logging, so this formatter, installed once by
 * Main, is the only place agentd touches JUL.
 */
final class LogFormat extends Formatter {
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

    /** Replaces the root handlers with one stderr handler using this format, passing {@code min} and above. */
    public static void install(System.Logger.Level min) {
        Level level = switch (min) {
            case ALL, TRACE -> Level.FINER;
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARNING;
            case ERROR -> Level.SEVERE;
            case OFF -> Level.OFF;
        };
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
