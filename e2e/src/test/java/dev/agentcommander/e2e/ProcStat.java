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
}
