package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the console bench's "≤ 2× the floor" asks of any pipeline of processes on this machine, measured without
 * ours: the same 100 printing panes and the same floor ({@link FloorReader}), next to a chain of processes that do
 * nothing but pass tmux's {@code %output} lines on ({@link RelayHop}: a tmux control client, then RELAYS relay
 * processes over loopback TCP, then this JVM's reader, which stamps each line as it reads it). With one relay the
 * chain has the console path's shape — agentd, the control plane, the viewer — and none of its work.
 * Args: [seconds per run after the warm-up=10] [relay counts=0,1] [runs=5] [warm-up seconds=3] [panes=100].
 */
public final class RelayChainBench {
    private static final List<String> HOP_JVM = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final int LEAD_SECONDS = 2;

    record Run(double chainP50, double chainP99, double floorP99, int chainSeen, int floorSeen) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String[] relays = (args.length > 1 ? args[1] : "0,1").split(",");
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int warm = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int panes = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        Path dir = Files.createTempDirectory("relay-bench");
        try (PrivateTmux tmux = PrivateTmux.with(Files.createDirectories(dir.resolve("tmux"))).size(160, 48)
                .start()) {
            for (int i = 0; i < panes; i++) {
                tmux.window(dir, "bash", "--norc", "--noprofile", "-c", MarkerClock.PANE_SCRIPT);
            }
            Thread.sleep(5000); // the panes print before the first run, as in the console bench
            for (String r : relays) {
                int n = Integer.parseInt(r.trim());
                List<Run> results = new ArrayList<>();
                for (int i = 1; i <= runs; i++) {
                    Run run = run(tmux, dir, n, seconds, warm);
                    results.add(run);
                    System.out.printf(Locale.ROOT, "%d relays, run %d/%d: chain p50 %.2f p99 %.2f ms, floor p99 %.2f"
                                    + " ms, chain/floor %.2f; markers chain %d, floor %d%n", n, i, runs,
                            run.chainP50(), run.chainP99(), run.floorP99(), run.chainP99() / run.floorP99(),
                            run.chainSeen(), run.floorSeen());
                }
                System.out.println(n + " relays (" + (n + 2) + " processes after tmux), " + runs + " runs of " + warm
                        + "+" + seconds + " s, min / median / max:");
                spread(n, "chain p99 (ms)", results.stream().map(Run::chainP99).toList());
                spread(n, "chain p50 (ms)", results.stream().map(Run::chainP50).toList());
                spread(n, "floor p99 (ms)", results.stream().map(Run::floorP99).toList());
                spread(n, "chain p99 / floor p99", results.stream().map(x -> x.chainP99() / x.floorP99()).toList());
            }
        }
        System.out.println("[" + Stats.machine() + "]");
    }

    private static void spread(int relays, String what, List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%d relays  %-24s %8.2f / %8.2f / %8.2f%n", relays, what, s.get(0),
                s.get(s.size() / 2), s.get(s.size() - 1));
    }

    private static Run run(PrivateTmux tmux, Path dir, int relays, int seconds, int warm) throws Exception {
        Path logs = dir.resolve("logs");
        Path floorOut = dir.resolve("floor-" + System.nanoTime() + ".txt");
        List<JavaProcess> hops = new ArrayList<>();
        try (ServerSocket end = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             JavaProcess floor = JavaProcess.start("floor", logs, HOP_JVM, FloorReader.class.getName(),
                     List.of(tmux.socket(), "main", Integer.toString(LEAD_SECONDS + warm + seconds + 2),
                             floorOut.toString()), Map.of())) {
            int next = end.getLocalPort();
            for (int i = 0; i < relays; i++) {
                JavaProcess relay = JavaProcess.start("relay-" + i, logs, HOP_JVM, RelayHop.class.getName(),
                        List.of("relay", Integer.toString(next)), Map.of());
                hops.add(relay);
                next = Integer.parseInt(relay.awaitLine("relay ready (\\d+)", Duration.ofSeconds(30)));
            }
            JavaProcess source = JavaProcess.start("tmux-hop", logs, HOP_JVM, RelayHop.class.getName(),
                    List.of("tmux", tmux.socket(), "main", Integer.toString(next)), Map.of());
            hops.add(source);
            floor.awaitLine("floor ready", Duration.ofSeconds(30));
            source.awaitLine("tmux hop ready", Duration.ofSeconds(30));
            Stats chain = new Stats();
            Map<String, MarkerClock> clocks = new HashMap<>();
            try (Socket in = end.accept()) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(LEAD_SECONDS));
                double from = MarkerClock.nowMicros() + warm * 1e6;
                double to = from + seconds * 1e6;
                long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(warm + seconds + 1);
                in.setSoTimeout(200);
                BufferedReader r = new BufferedReader(new InputStreamReader(in.getInputStream(),
                        StandardCharsets.UTF_8));
                while (System.nanoTime() < stopAt) {
                    String line;
                    try {
                        line = r.readLine();
                    } catch (java.net.SocketTimeoutException e) {
                        continue;
                    }
                    if (line == null) {
                        break;
                    }
                    double now = MarkerClock.nowMicros(); // stamped on the thread that read it, as the floor does
                    int sp = line.indexOf(' ', 8);
                    String pane = line.substring(8, sp);
                    clocks.computeIfAbsent(pane, k -> new MarkerClock((n, t, ms) -> {
                        if (t >= from && t <= to) {
                            chain.add(ms);
                        }
                    })).feed(line.substring(sp + 1).replace("\\015", "").replace("\\012", "\n"), now);
                }
                floor.awaitExit(Duration.ofSeconds(30));
                Stats floorStats = new Stats();
                for (FloorReader.Sample f : FloorReader.samples(floorOut)) {
                    if (f.printedMicros() >= from && f.printedMicros() <= to) {
                        floorStats.add(f.latencyMs());
                    }
                }
                return new Run(chain.percentile(50), chain.percentile(99), floorStats.percentile(99), chain.count(),
                        floorStats.count());
            }
        } finally {
            for (JavaProcess h : hops) {
                h.close();
            }
        }
    }
}
