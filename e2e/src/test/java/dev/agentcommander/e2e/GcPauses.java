package dev.agentcommander.e2e;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Stop-the-world GC pauses in a time window, for a latency benchmark to print next to its figures: a pause in
 * agentd or the control plane stalls every console at once, and a pause in the benchmark's own client is counted
 * as latency the product did not add. Child JVMs log pauses with {@link #logFlags} (one line per pause, stamped
 * with wall-clock milliseconds); this JVM's come from its collectors' notifications.
 */
final class GcPauses {
    /** One pause: when it ended (epoch ms) and how long it took. */
    record Pause(long endedAtMillis, double millis, String what) {
    }

    /** A window's pauses in one JVM, as printed: count, total and the longest. */
    record Summary(int count, double totalMillis, double longestMillis, String longestWhat) {
        @Override
        public String toString() {
            return count == 0 ? "none" : String.format(Locale.ROOT, "%d, %.0f ms in all, longest %.1f ms (%s)", count,
                    totalMillis, longestMillis, longestWhat);
        }
    }

    // [1764680000123ms] GC(12) Pause Young (Allocation Failure) 3M->1M(7M) 1.234ms   (Serial, G1: gc)
    // [1764680000123ms] GC(3) Y: Pause Mark Start 0.012ms                            (ZGC: gc+phases)
    private static final Pattern LINE = Pattern.compile(
            "^\\[(\\d+)ms\\] GC\\(\\d+\\) (?:\\w: )?(Pause .*?) (\\d+(?:\\.\\d+)?)ms$");

    private final List<Pause> own = new ArrayList<>();

    private GcPauses() {
    }

    /** JVM flags that make a child log each pause to {@code file}, stamped so {@link #inLog} can window them. */
    static List<String> logFlags(Path file) {
        // gc+phases: ZGC logs its pauses only there (its gc lines are whole concurrent cycles)
        return List.of("-Xlog:gc,gc+phases:file=" + file + ":timemillis");
    }

    /** The pauses a child logged with {@link #logFlags} that ended in [{@code fromMillis}, {@code toMillis}]. */
    static Summary inLog(Path file, long fromMillis, long toMillis) throws IOException {
        List<Pause> pauses = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                Matcher m = LINE.matcher(line.trim());
                if (m.matches()) {
                    pauses.add(new Pause(Long.parseLong(m.group(1)), Double.parseDouble(m.group(3)),
                            m.group(2).replaceAll(" \\S+->\\S+$", "")));
                }
            }
        }
        return summarise(pauses, fromMillis, toMillis);
    }

    /** Starts recording this JVM's pauses (its young and full collections; concurrent cycles are not pauses). */
    static GcPauses watchThisJvm() {
        GcPauses watch = new GcPauses();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().contains("Concurrent") || gc.getName().contains("Cycles")) {
                continue; // G1's concurrent cycles and ZGC's cycles run beside the application (ZGC's "Pauses" stay)
            }
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    synchronized (watch.own) {
                        watch.own.add(new Pause(System.currentTimeMillis(), info.getGcInfo().getDuration(),
                                info.getGcName() + " (" + info.getGcCause() + ")"));
                    }
                }
            }, null, null);
        }
        return watch;
    }

    /** This JVM's pauses that ended in [{@code fromMillis}, {@code toMillis}]. */
    Summary inWindow(long fromMillis, long toMillis) {
        synchronized (own) {
            return summarise(new ArrayList<>(own), fromMillis, toMillis);
        }
    }

    private static Summary summarise(List<Pause> pauses, long fromMillis, long toMillis) {
        int count = 0;
        double total = 0;
        Pause longest = null;
        for (Pause p : pauses) {
            if (p.endedAtMillis() < fromMillis || p.endedAtMillis() > toMillis) {
                continue;
            }
            count++;
            total += p.millis();
            if (longest == null || p.millis() > longest.millis()) {
                longest = p;
            }
        }
        return new Summary(count, total, longest == null ? 0 : longest.millis(), longest == null ? "" : longest.what());
    }
}
