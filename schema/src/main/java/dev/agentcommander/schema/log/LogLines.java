package dev.agentcommander.schema.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * How both agentd and the control plane write their logs: exactly one line per record on stderr, so journald,
 * {@code docker logs} and a log shipper each see one record as one entry (JUL's default spends two lines on it,
 * and a stack trace many more). Both log through {@code System.Logger}, which the JDK backs with
 * java.util.logging; this formatter on the root handler is the one place either touches JUL's output.
 *
 * <p>{@link Format#TEXT}: {@code 2026-12-02T02:30:00.123Z INFO Logger: message}, the logger's simple name, line
 * breaks in the message turned into spaces, a stack trace appended on the same line with {@code " | "} between
 * its lines. {@link Format#JSON} ({@code LOG_FORMAT=json}): one object a line with {@code ts}, {@code level},
 * {@code logger} (full name), {@code message}, {@code thread} and, with an exception, {@code error} (the whole
 * stack trace as one string). Levels are JUL's names (SEVERE, WARNING, INFO, FINE, …).
 */
public final class LogLines extends Formatter {
    /** {@code LOG_FORMAT}: {@code text} (the default) or {@code json}. */
    public enum Format {
        TEXT, JSON;

        /** {@code text} or {@code json} (any case); anything else names {@code key} in the exception. */
        public static Format parse(String key, String value) {
            if (value == null || value.isBlank()) {
                return TEXT;
            }
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException(key + ": must be text or json, got '" + value.trim()
                        + "'");
            };
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Format format;

    public LogLines(Format format) {
        this.format = format;
    }

    @Override
    public String format(LogRecord r) {
        String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
        String message = formatMessage(r);
        String ts = TS.format(r.getInstant());
        if (format == Format.JSON) {
            ObjectNode o = Json.mapper().createObjectNode();
            o.put("ts", ts);
            o.put("level", r.getLevel().getName());
            o.put("logger", logger);
            o.put("message", message);
            o.put("thread", Thread.currentThread().getName());
            if (r.getThrown() != null) {
                o.put("error", stackTrace(r.getThrown()));
            }
            return o.toString() + "\n"; // Jackson escapes every control character: one line
        }
        StringBuilder sb = new StringBuilder(64 + message.length()).append(ts).append(' ')
                .append(r.getLevel().getName()).append(' ').append(logger.substring(logger.lastIndexOf('.') + 1))
                .append(": ").append(oneLine(message));
        if (r.getThrown() != null) {
            sb.append(" | ").append(oneLine(stackTrace(r.getThrown()).replace("\n", " | ")));
        }
        return sb.append('\n').toString();
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString().strip().replace("\r\n", "\n").replace("\t", "  ");
    }

    private static String oneLine(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Replaces the root logger's handlers with one stderr handler in {@code format}, passing {@code min} and
     * above. Loggers with levels of their own (set by a logging config) keep them.
     */
    public static void install(Format format, Level min) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler(); // writes to System.err
        h.setFormatter(new LogLines(format));
        h.setLevel(min);
        root.addHandler(h);
        root.setLevel(min);
    }
}
