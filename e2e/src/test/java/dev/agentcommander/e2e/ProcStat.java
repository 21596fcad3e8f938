package dev.agentcommander.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory and CPU time of a process, read from /proc, for benchmark programs. */
final class ProcStat {
    private static final double TICKS = 100.0; // USER_HZ on Linux

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

    /** User + system CPU seconds used so far. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
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
}
