package dev.agentcommander.controlplane.db;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the embedded server's log for the line that explains a failure ({@code FATAL: could not open file
 * "global/pg_control"}, or the last lines it printed when it stopped before logging began), so the control plane's
 * log and {@code /health} can say why instead of "exit 1".
 */
final class PgLog {
    private static final int TAIL = 64 * 1024;

    private PgLog() {
    }

    /** "exited with status 1" / "was killed by signal 9" for a process exit value. */
    static String exit(int exitValue) {
        return exitValue > 128 ? "was killed by signal " + (exitValue - 128) : "exited with status " + exitValue;
    }

    /** Why a postmaster that exited with {@code exitValue} failed, from what it logged after {@code offset}. */
    static String reason(Path log, long offset, int exitValue) {
        String line = lastFatal(log, offset);
        return "postgres " + exit(exitValue) + (line != null ? ": " + line : " (its log: " + log + ")");
    }

    private static String lastFatal(Path log, long offset) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(offset, f.length() - TAIL);
            byte[] b = new byte[(int) Math.max(0, f.length() - from)];
            f.seek(from);
            f.readFully(b);
            List<String> lines = new String(b, StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty()).toList();
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                for (String level : List.of("PANIC:", "FATAL:")) {
                    int at = l.indexOf(level);
                    if (at >= 0) {
                        return l.substring(at).replaceAll("\\s+", " ");
                    }
                }
            }
            // errors found before logging starts ("could not find the database system") have no level
            return lines.isEmpty() ? null : String.join(" ", lines.subList(Math.max(0, lines.size() - 3),
                    lines.size())).replaceAll("\\s+", " ");
        } catch (IOException e) {
            return null;
        }
    }
}
