package dev.agentcommander.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * The JVM flags a benchmark run adds to the child JVMs a {@link Stack} starts, from system properties the bench
 * script sets ({@code e2e/bench}): none in tests, so tests and benchmarks run the same processes otherwise.
 */
final class BenchJvm {
    private BenchJvm() {
    }

    /**
     * With {@code -Dbench.jfr=DIR} (benchmarks: {@code BENCH_JFR=DIR ./commander bench …}) each child JVM records a
     * JFR profile ({@code settings=profile}) into DIR, named after the process; nothing otherwise.
     */
    static List<String> jfr(String name) {
        String dir = System.getProperty("bench.jfr", "");
        if (dir.isEmpty()) {
            return List.of();
        }
        return List.of("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                + Path.of(dir).toAbsolutePath().resolve(name + "-" + System.nanoTime() + ".jfr"));
    }

    /**
     * With {@code -Dbench.cp.jvm="FLAGS"} (benchmarks: {@code BENCH_CP_JVM="FLAGS" ./commander bench …}) the control
     * plane gets these JVM flags after its own, for A/B runs of a flag; nothing otherwise.
     */
    static List<String> controlPlane() {
        return flags("bench.cp.jvm");
    }

    /** As {@link #controlPlane} for agentd: {@code -Dbench.agentd.jvm="FLAGS"} ({@code BENCH_AGENTD_JVM}). */
    static List<String> agentd() {
        return flags("bench.agentd.jvm");
    }

    private static List<String> flags(String property) {
        String flags = System.getProperty(property, "").trim();
        return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
    }
}
