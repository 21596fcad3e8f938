package dev.agentcommander.e2e;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Percentiles for benchmark programs. */
final class Stats {
    private final List<Double> values = new ArrayList<>();

    synchronized void add(double v) {
        values.add(v);
    }

    synchronized int count() {
        return values.size();
    }

    synchronized double percentile(double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    String summary(String unit) {
        return String.format(Locale.ROOT, "n=%d p50=%.2f%s p90=%.2f%s p99=%.2f%s max=%.2f%s", count(),
                percentile(50), unit, percentile(90), unit, percentile(99), unit, percentile(100), unit);
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", JDK " + Runtime.version() + ", " + java.time.LocalDate.now();
    }
}
