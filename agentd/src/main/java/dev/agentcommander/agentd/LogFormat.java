package dev.agentcommander.agentd;

import dev.agentcommander.schema.log.LogLines;
import java.util.logging.Level;

/**
 * agentd's logging: one line per record on stderr ({@link LogLines}, the same format as the control plane's),
 * as text or JSON ({@code log.format}). Installed by Main, first as text before the config is read, then in the
 * configured format.
 */
final class LogFormat {
    private LogFormat() {
    }

    /** Replaces the root handlers with one stderr handler in {@code format}, passing {@code min} and above. */
    static void install(LogLines.Format format, System.Logger.Level min) {
        Level level = switch (min) {
            case ALL, TRACE -> Level.FINER;
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARNING;
            case ERROR -> Level.SEVERE;
            case OFF -> Level.OFF;
        };
        LogLines.install(format, level);
    }
}
