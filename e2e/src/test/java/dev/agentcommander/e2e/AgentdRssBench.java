package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 2/14 figures: agentd's RSS and CPU with N idle panes (default 50) at the default poll interval, and how long
 * a new pane takes to appear in {@code GET /v1/sessions}. Each run measures every variant back to back against the
 * same control plane and the same panes (agentd restarted per variant, fresh state dir), so a before/after compares
 * like with like on a loaded machine; the summary gives min/median/max over the runs with the load average beside.
 *
 * <p>Args: [panes=50] [measure seconds=60] [runs=3] [appear samples=0] [variants=launcher] [settle seconds=10]
 * (after the link is up and every pane announced, before measuring; idle CPU wants minutes). Each run also prints
 * which threads used the CPU and how often they woke (voluntary context switches). Variants, semicolon
 * separated: {@code launcher} runs agentd through its real launcher ({@code agentd/src/main/sh/agentd}) on the
 * distribution classpath (agentd's jar and {@code target/lib}), exactly as {@code ./commander} and the unit do,
 * with the class-data archive a training run made first (as installing does); {@code launcher-nocds} the same
 * without an archive; {@code pre14} is java with the flags agentd.args had before this round (a49437e), no
 * launcher; {@code NAME=FLAGS} is java with Chronicle's flags and FLAGS (space separated; {@code @agentd.args}
 * names an argfile in {@code agentd/src/main/jvm}, {@code env:K=V} sets an environment variable, {@code cp:FILE}
 * takes the classpath from FILE, {@code {cds}} stands for the training run's archive). Every variant runs on the
 * distribution classpath unless told otherwise. A variant with {@code -XX:NativeMemoryTracking=summary} also
 * prints the JVM's memory by category and the heap in use. Env {@code AGENTD_RSS_PRE14_CP}: a classpath file for
 * {@code pre14} (an older build, to compare code as well as flags).
 */
public final class AgentdRssBench {
    /** agentd.args at a49437e, before the footprint round. */
    static final List<String> PRE14 = List.of("-Xms16m", "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=24m", "-XX:MaxMetaspaceSize=64m", "-Xss512k", "-XX:CICompilerCount=1",
            "-XX:+UseCompressedOops");

    /** Where the launcher variant's class-data archive goes (as the launcher's state dir would hold it). */
    static Path CDS_ARCHIVE;

    public static void main(String[] args) throws Exception {
        int panes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int settle = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        Path dir = Files.createTempDirectory("agentd-bench");
        CDS_ARCHIVE = dir.resolve("cds").resolve("agentd.jsa");
        List<Variant> variants = new ArrayList<>();
        for (String v : (args.length > 4 ? args[4] : "launcher").split(";")) {
            variants.add(Variant.parse(v.trim()));
        }
        Map<String, List<Sample>> results = new LinkedHashMap<>();
        variants.forEach(v -> results.put(v.name(), new ArrayList<>()));
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            PrivateTmux tmux = stack.tmux(Map.of());
            for (int i = 1; i < panes; i++) { // the session's first window is pane 1
                tmux.window(dir, "bash", "--norc", "--noprofile");
            }
            stack.agentdConfig.put("poll_interval_ms", "1000");
            System.out.printf(Locale.ROOT, "agentd with %d idle panes, poll 1000 ms, %d s windows, %d runs; load "
                    + "average (1 min) beside each figure%n", panes, seconds, runs);
            for (Variant v : variants) {
                if (v.name().equals("launcher")) {
                    train(stack, v);
                }
            }
            for (int run = 1; run <= runs; run++) {
                for (Variant v : variants) {
                    Sample s = measure(stack, v, run, panes, seconds, settle);
                    results.get(v.name()).add(s);
                    System.out.printf(Locale.ROOT, "  run %d %-14s RSS %3.0f MB (max %3.0f)  CPU %.2f %%  classes %d  "
                            + "link up %.1f s  load %.2f-%.2f%n", run, v.name(), s.rssKb / 1024.0, s.maxRssKb / 1024.0,
                            s.cpuPct, s.classes, s.upSeconds, s.load0, s.load1);
                }
            }
            System.out.println("summary over " + runs + " runs (min / median / max):");
            for (var e : results.entrySet()) {
                List<Sample> l = e.getValue();
                System.out.printf(Locale.ROOT, "  %-14s RSS %s MB  max RSS %s MB  CPU %s %% of one core  link up %s s"
                                + "  load %s%n",
                        e.getKey(), mmm(l.stream().mapToDouble(s -> s.rssKb / 1024.0).toArray(), "%.0f"),
                        mmm(l.stream().mapToDouble(s -> s.maxRssKb / 1024.0).toArray(), "%.0f"),
                        mmm(l.stream().mapToDouble(s -> s.cpuPct).toArray(), "%.2f"),
                        mmm(l.stream().mapToDouble(s -> s.upSeconds).toArray(), "%.1f"),
                        mmm(l.stream().mapToDouble(s -> (s.load0 + s.load1) / 2).toArray(), "%.2f"));
            }
            if (samples > 0) {
                appear(stack, variants.get(0), tmux, dir, samples);
            }
            System.out.println("[" + Stats.machine() + "]");
        }
    }

    private record Sample(long rssKb, long maxRssKb, double cpuPct, long classes, double upSeconds, double load0,
                          double load1) {
    }

    private static Sample measure(Stack stack, Variant v, int run, int panes, int seconds, int settle)
            throws Exception {
        stack.agentdStateName = "agentd-state-" + v.name() + "-" + run;
        long start = System.nanoTime();
        JavaProcess agentd = v.start(stack);
        try {
            agentd.awaitLine("link up: ", Duration.ofSeconds(60));
            double up = (System.nanoTime() - start) / 1e9;
            Await.value("all panes announced", Duration.ofSeconds(60),
                    () -> stack.queryLong("select count(*) from sessions") >= panes);
            Thread.sleep(settle * 1000L); // settle: JIT, first git look-ups, class loading
            long pid = agentd.pid();
            double load0 = ProcStat.loadAverage();
            double cpu0 = ProcStat.cpuSeconds(pid);
            var threads0 = ProcStat.threadGroups(pid);
            long t0 = System.nanoTime();
            long maxRss = 0;
            while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
                maxRss = Math.max(maxRss, ProcStat.rssKb(pid));
                Thread.sleep(1000);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpuPct = 100 * (ProcStat.cpuSeconds(pid) - cpu0) / wall;
            System.out.println("  run " + run + " " + v.name() + " threads: "
                    + ProcStat.threadGroupsDelta(threads0, ProcStat.threadGroups(pid), wall));
            long rss = ProcStat.rssKb(pid);
            if (v.flags().stream().anyMatch(f -> f.startsWith("-XX:NativeMemoryTracking="))) {
                System.out.println("  run " + run + " " + v.name() + " " + ProcStat.nativeMemory(pid));
            }
            return new Sample(rss, Math.max(maxRss, rss), cpuPct, ProcStat.loadedClasses(pid), up, load0,
                    ProcStat.loadAverage());
        } finally {
            agentd.stop();
        }
    }

    /**
     * What installing agentd does once: the daemon's first start and clean stop, at which the JVM writes the
     * class-data archive the launcher asks for; every measured start of {@code launcher} then maps it.
     */
    private static void train(Stack stack, Variant v) throws Exception {
        stack.agentdStateName = "agentd-state-training";
        long t0 = System.nanoTime();
        JavaProcess agentd = v.start(stack);
        agentd.awaitLine("link up: ", Duration.ofSeconds(60));
        double up = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(5_000); // a few polls: the scanner's, the status detector's and the link's classes
        agentd.stop();
        System.out.printf(Locale.ROOT, "training run (launcher, no archive yet): link up after %.1f s; class-data "
                + "archive %s%n", up, Files.exists(CDS_ARCHIVE) ? String.format(Locale.ROOT, "%.1f MB",
                Files.size(CDS_ARCHIVE) / 1048576.0) : "NOT written");
    }

    private static void appear(Stack stack, Variant v, PrivateTmux tmux, Path dir, int samples) throws Exception {
        stack.agentdStateName = "agentd-state-appear";
        try (JavaProcess agentd = v.start(stack)) {
            agentd.awaitLine("link up: ", Duration.ofSeconds(60));
            Stats appear = new Stats();
            for (int i = 0; i < samples; i++) {
                long start = System.nanoTime();
                String pane = tmux.window(dir, "sleep", "600");
                Await.value("pane in REST", Duration.ofSeconds(30), () -> FoundationLookup.session(stack, pane));
                appear.add((System.nanoTime() - start) / 1e6);
                tmux.run("kill-pane", "-t", pane);
                Thread.sleep(300 + (long) (Math.random() * 700)); // sample different phases of the poll
            }
            System.out.println("pane created -> visible in GET /v1/sessions (poll 1000 ms, " + v.name() + "): "
                    + appear.summary(" ms"));
        }
    }

    static String mmm(double[] values, String format) {
        double[] s = values.clone();
        java.util.Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return String.format(Locale.ROOT, format + " / " + format + " / " + format, s[0], median, s[s.length - 1]);
    }

    /** One way of starting agentd: through its launcher, or java with a flag set. */
    record Variant(String name, boolean launcher, List<String> flags, Map<String, String> env, Path classpathFile) {
        static Variant parse(String spec) {
            if (spec.equals("launcher")) { // one class-data archive for the whole bench, made by the training run
                return new Variant(spec, true, List.of(), Map.of("AGENTD_CDS_ARCHIVE", CDS_ARCHIVE.toString()), null);
            }
            if (spec.equals("launcher-nocds")) {
                return new Variant(spec, true, List.of(), Map.of("AGENTD_CDS_ARCHIVE", ""), null);
            }
            if (spec.equals("pre14")) {
                String cp = System.getenv("AGENTD_RSS_PRE14_CP");
                return new Variant(spec, false, PRE14, Map.of(), cp == null || cp.isBlank() ? null : Path.of(cp));
            }
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("variant " + spec + ": launcher, pre14 or NAME=FLAGS");
            }
            List<String> flags = new ArrayList<>();
            Map<String, String> env = new LinkedHashMap<>();
            Path cp = null;
            for (String f : spec.substring(eq + 1).replace("{cds}", CDS_ARCHIVE.toString()).trim().split("\\s+")) {
                if (f.startsWith("env:")) {
                    String kv = f.substring(4);
                    env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                } else if (f.startsWith("cp:")) {
                    cp = Path.of(f.substring(3));
                } else if (!f.isEmpty()) {
                    boolean argfile = f.startsWith("@") && !f.contains("/"); // one of agentd/src/main/jvm's
                    flags.add(argfile ? "@" + JavaProcess.JVM_ARGS.resolve(f.substring(1)) : f);
                }
            }
            return new Variant(spec.substring(0, eq), false, flags, env, cp);
        }

        JavaProcess start(Stack stack) throws Exception {
            if (launcher) {
                return stack.startAgentdWithLauncher(env);
            }
            String cp = classpathFile == null ? Stack.agentdDistributionClasspath()
                    : Files.readString(classpathFile).trim();
            return stack.startAgentd(flags, env, cp);
        }
    }
}
