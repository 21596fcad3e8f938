package dev.agentcommander.e2e;

import java.time.Instant;
import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Panes in latency benchmarks print {@code T<$EPOCHREALTIME> #<n>} lines (bash's clock, no fork; {@code n} counts
 * the pane's markers from 1), a reader that sees one records now minus that time, and which {@code n} it saw, so
 * a lost marker shows as a gap. Text arrives in pieces, so each reader keeps the unfinished last line. The pause
 * between markers is bash's own {@code read -t} on a pipe nobody writes, not {@code sleep}: 100 panes forking
 * {@code sleep} 5 times a second each is 500 processes a second, load the benchmark would add to the 2 cores it
 * measures (an agent's pane prints; it does not fork five times a second).
 */
final class MarkerClock {
    static final String PANE_SCRIPT = "exec {pause}<> <(:); i=0; while :; do i=$((i+1));"
            + " printf 'T%s #%d\\n' \"$EPOCHREALTIME\" \"$i\"; read -rt 0.2 -u $pause; done";
    private static final Pattern MARK = Pattern.compile("T(\\d{9,11})\\.(\\d{6}) #(\\d+)");
    private final StringBuilder partial = new StringBuilder();
    private final BitSet seen = new BitSet();
    private final Sample sample;

    /** What a reader learns from one marker line. */
    @FunctionalInterface
    interface Sample {
        /** Marker {@code n}, printed at {@code printedMicros} (epoch µs), seen {@code latencyMs} later. */
        void accept(int n, double printedMicros, double latencyMs);
    }

    /** Markers printed before this (epoch µs) are history (a joiner's catch-up), not latency: not counted. */
    private final double since;

    /** {@code sample} gets each marker's number, when it was printed and its latency (ms). */
    MarkerClock(Sample sample) {
        this(sample, 0);
    }

    /** As above, counting only markers printed at or after {@code sinceMicros} (epoch µs). */
    MarkerClock(Sample sample, double sinceMicros) {
        this.sample = sample;
        this.since = sinceMicros;
    }

    static double nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1e6 + now.getNano() / 1e3;
    }

    /** Feeds text; every complete marker line in it adds one sample. */
    void feed(String text) {
        feed(text, nowMicros());
    }

    /** Feeds text that arrived at {@code now} (epoch µs); every complete marker line in it adds one sample. */
    void feed(String text, double now) {
        partial.append(text);
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            Matcher m = MARK.matcher(partial.substring(0, nl));
            if (m.find()) {
                double t = Long.parseLong(m.group(1)) * 1e6 + Long.parseLong(m.group(2));
                int n = Integer.parseInt(m.group(3));
                if (t >= since) {
                    seen.set(n);
                    sample.accept(n, t, (now - t) / 1000.0);
                }
            }
            partial.delete(0, nl + 1);
        }
        if (partial.length() > 4096) {
            partial.setLength(0);
        }
    }

    /** Drops a line cut by a snapshot (the text after a redraw starts a new line). */
    void resync() {
        partial.setLength(0);
    }

    int seenCount() {
        return seen.cardinality();
    }

    /** Markers missing between the first and the last one seen. */
    int gaps() {
        if (seen.isEmpty()) {
            return 0;
        }
        int first = seen.nextSetBit(0);
        int last = seen.length() - 1;
        return last - first + 1 - seen.cardinality();
    }
}
