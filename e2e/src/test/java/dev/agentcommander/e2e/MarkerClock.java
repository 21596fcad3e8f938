package dev.agentcommander.e2e;

import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Panes in latency benchmarks print {@code T<$EPOCHREALTIME>} lines (bash's clock, no fork); a reader that sees one
 * records now minus that time. Text arrives in pieces, so each reader keeps the unfinished last line.
 */
final class MarkerClock {
    static final String PANE_SCRIPT = "while :; do printf 'T%s\\n' \"$EPOCHREALTIME\"; sleep 0.2; done";
    private static final Pattern MARK = Pattern.compile("T(\\d{9,11})\\.(\\d{6})");
    private final StringBuilder partial = new StringBuilder();
    private final Stats stats;

    MarkerClock(Stats stats) {
        this.stats = stats;
    }

    static double nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1e6 + now.getNano() / 1e3;
    }

    /** Feeds text; every complete marker line in it adds one latency sample (ms). */
    void feed(String text) {
        double now = nowMicros();
        partial.append(text);
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            Matcher m = MARK.matcher(partial.substring(0, nl));
            if (m.find()) {
                double t = Long.parseLong(m.group(1)) * 1e6 + Long.parseLong(m.group(2));
                stats.add((now - t) / 1000.0);
            }
            partial.delete(0, nl + 1);
        }
        if (partial.length() > 4096) {
            partial.setLength(0);
        }
    }
}
