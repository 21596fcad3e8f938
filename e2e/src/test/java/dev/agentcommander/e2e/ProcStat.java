package dev.agentcommander.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory and CPU time of a process, read from /proc, for benchmark programs. */
final class ProcStat {
    private static final double TICKS = 100.0; // USER_HZ on Linux
    /** A mapping's header line in smaps ("7f…-7f… rw-s 00000000 08:01 1234  /path"); its fields follow. */
    private static final java.util.regex.Pattern MAPPING = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    private ProcStat() {
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /**
     * Where the resident memory is: anonymous (heap, metaspace, code cache, stacks, malloc), file-backed in all,
     * and file-backed in mappings whose path ends with {@code fileSuffix} (Chronicle Queue's {@code .cq4} cycle
     * files), in kB. File-backed pages are the page cache's: the kernel can drop them under pressure.
     */
    static String rssBreakdown(long pid, String fileSuffix) throws IOException {
        long anon = 0;
        long file = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("RssAnon:")) {
                anon = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("RssFile:")) {
                file = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        long mapped = 0;
        boolean inFile = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
            if (MAPPING.matcher(line).lookingAt()) {
                inFile = line.strip().endsWith(fileSuffix);
            } else if (inFile && line.startsWith("Rss:")) {
                mapped += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return String.format(java.util.Locale.ROOT, "anon %.1f MB, file %.1f MB (of which %s %.1f MB)", anon / 1024.0,
                file / 1024.0, fileSuffix, mapped / 1024.0);
    }

    /** User + system CPU seconds used so far. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    }

    /**
     * Per thread group of {@code pid} (threads named alike, e.g. the virtual threads' carriers
     * {@code ForkJoinPool-1-worker-N}, are one group): CPU seconds and voluntary context switches so far, from
     * {@code /proc/PID/task}. Two readings apart say which threads used the CPU and how often they woke up.
     */
    static java.util.Map<String, double[]> threadGroups(long pid) throws IOException {
        java.util.Map<String, double[]> groups = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[-0-9 ]+$", "");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long wakeups = 0;
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            wakeups = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        }
                    }
                    double[] g = groups.computeIfAbsent(name, k -> new double[2]);
                    g[0] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
                    g[1] += wakeups;
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return groups;
    }

    /** The busiest groups between two {@link #threadGroups} readings {@code seconds} apart, as "name 0.12 s 34/s". */
    static String threadGroupsDelta(java.util.Map<String, double[]> before, java.util.Map<String, double[]> after,
                                    double seconds) {
        return after.entrySet().stream()
                .map(e -> {
                    double[] b = before.getOrDefault(e.getKey(), new double[2]);
                    return java.util.Map.entry(e.getKey(), new double[] {e.getValue()[0] - b[0],
                        (e.getValue()[1] - b[1]) / seconds});
                })
                .filter(e -> e.getValue()[0] > 0 || e.getValue()[1] >= 1)
                .sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]))
                .limit(6)
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.2f s %.0f wakeups/s", e.getKey(),
                        e.getValue()[0], e.getValue()[1]))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The 1-minute load average (what {@code uptime} prints first). */
    static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** Classes loaded by the JVM {@code pid} (jstat, from its perf data; -1 when it cannot say). */
    static long loadedClasses(long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                    "-class", Long.toString(pid)).redirectErrorStream(true).start();
            String[] lines = new String(p.getInputStream().readAllBytes()).trim().split("\n");
            p.waitFor();
            return lines.length < 2 ? -1 : Long.parseLong(lines[1].trim().split("\\s+")[0]);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The JVM's own account of its memory ({@code jcmd VM.native_memory summary}, needs
     * {@code -XX:NativeMemoryTracking=summary}) as "category committed MB" pairs, biggest first, and the heap in use.
     */
    static String nativeMemory(long pid) {
        String nmt = jcmd(pid, "VM.native_memory", "summary");
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("-\\s+([A-Za-z][A-Za-z ]*?) \\(reserved=\\d+KB, committed=(\\d+)KB").matcher(nmt);
        java.util.List<java.util.Map.Entry<String, Long>> cats = new java.util.ArrayList<>();
        while (m.find()) {
            cats.add(java.util.Map.entry(m.group(1).trim(), Long.parseLong(m.group(2))));
        }
        cats.sort(java.util.Map.Entry.<String, Long>comparingByValue().reversed());
        java.util.regex.Matcher total = java.util.regex.Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB")
                .matcher(nmt);
        StringBuilder out = new StringBuilder(total.find() ? String.format(java.util.Locale.ROOT,
                "NMT committed %.1f MB:", Long.parseLong(total.group(1)) / 1024.0) : "NMT:");
        for (var e : cats) {
            if (e.getValue() >= 256) {
                out.append(String.format(java.util.Locale.ROOT, " %s %.1f", e.getKey(), e.getValue() / 1024.0));
            }
        }
        // every generation's line ("… total 2432K, used 1133K"; metaspace's lines have no "total")
        java.util.regex.Matcher heap = java.util.regex.Pattern.compile("total (\\d+)K, used (\\d+)K")
                .matcher(jcmd(pid, "GC.heap_info"));
        long heapTotal = 0;
        long heapUsed = 0;
        while (heap.find()) {
            heapTotal += Long.parseLong(heap.group(1));
            heapUsed += Long.parseLong(heap.group(2));
        }
        if (heapTotal > 0) {
            out.append(String.format(java.util.Locale.ROOT, "; heap used %.1f of %.1f MB", heapUsed / 1024.0,
                    heapTotal / 1024.0));
        }
        return out.toString();
    }

    private static String jcmd(long pid, String... command) {
        try {
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
            cmd.addAll(java.util.List.of(command));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }
}
