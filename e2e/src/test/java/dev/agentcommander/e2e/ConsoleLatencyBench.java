package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4/24 figures: pane output → UI WebSocket client latency with 1 and with 100 panes streaming, next to a
 * floor measured in the same run by a tmux control-mode client in a process of its own ({@link FloorReader}).
 * Each run opens a fresh viewer socket that subscribes to every pane (from the second run on, that is a viewer
 * joining busy sessions) and counts, from its first second: latency in the warm-up window and after it (by when
 * a marker was printed), markers seen and missing on each side, the drops the pipeline reported ({@code console.skipped} by reason, tmux pauses
 * and outbox drops from agentd's log), its warnings of a link falling behind (agentd's "reaching the control plane
 * late", the control plane's slow ingest), snapshots received and the time to the last one, and whether the socket
 * stayed open. Both sides count the same markers: per pane, those printed from the viewer's first snapshot of it
 * (what came before is in that screen) to the window's end; after the window the viewer drains until every pane
 * has shown a later marker (10 s at most) and the floor reads 3 s longer, so a marker still in flight at the end
 * counts as late, not as missing. Beside them, each JVM's stop-the-world GC pauses in the run ({@link GcPauses}):
 * agentd's and the control plane's stall every console, the bench client's own are latency the product did not add.
 * Every figure is printed per run and as min / median / max over the runs.
 * Args: [seconds per run after the warm-up=10] [pane counts=1,100] [runs=5] [warm-up seconds=3].
 */
public final class ConsoleLatencyBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String[] counts = (args.length > 1 ? args[1] : "1,100").split(",");
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int warm = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path dir = Files.createTempDirectory("console-bench");
        try (Stack stack = new Stack(dir)) {
            stack.logGcPauses = true;
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            PrivateTmux tmux = stack.tmux(Map.of());
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            stack.startAgentd();
            for (String c : counts) {
                paneCount(stack, tmux, dir, Integer.parseInt(c.trim()), seconds, runs, warm);
            }
            System.out.println("[" + Stats.machine() + "]");
        }
    }

    /** One run's figures. */
    record Run(double uiP50, double uiP99, double uiWarmP99, double floorP99, double floorWarmP99, int uiSeen,
               int uiGaps, int floorSeen, int floorGaps, int skippedViewer, int skippedHost, long skippedBytes,
               int pauses, int outboxDrops, int snapshots, double lastSnapshotMs, boolean open, String load,
               GcPauses.Summary agentdGc, GcPauses.Summary controlPlaneGc, GcPauses.Summary benchGc,
               List<String> uiP99BySecond, int linkLate, int ingestWarnings) {
    }

    /** The bench's own pauses: its client's stalls count as latency, so they are printed beside it. */
    private static final GcPauses BENCH_GC = GcPauses.watchThisJvm();

    private static void paneCount(Stack stack, PrivateTmux tmux, Path dir, int panes, int seconds, int runs,
                                  int warm) throws Exception {
        List<String> paneIds = new ArrayList<>();
        for (int i = 0; i < panes; i++) {
            paneIds.add(tmux.window(dir, "bash", "--norc", "--noprofile", "-c", MarkerClock.PANE_SCRIPT));
        }
        Map<String, String> sessionOfPane = new HashMap<>();
        for (String p : paneIds) {
            sessionOfPane.put(p, Await.value("session " + p, Duration.ofSeconds(180),
                    () -> FoundationLookup.sessionId(stack, p)));
        }
        // the set-up's own transients (a hundred panes starting, agentd finding them, this JVM's JIT of the set-up
        // code) end before the first run: the fleet is busy, not booting, when a viewer opens it
        Thread.sleep(SETTLE_MILLIS);
        List<Run> results = new ArrayList<>();
        try {
            for (int r = 1; r <= runs; r++) {
                Run run = run(stack, tmux, dir, paneIds, sessionOfPane, seconds, warm);
                results.add(run);
                System.out.printf(Locale.ROOT, "%3d panes, run %d/%d (load %s): UI p50 %.1f p99 %.1f ms "
                                + "(warm-up p99 %.1f), floor p99 %.1f ms (warm-up %.1f), UI/floor %.1f; markers UI "
                                + "%d seen %d missing, floor %d seen %d missing; skipped viewer_behind %d host_behind %d "
                                + "(%d B), tmux pauses %d, outbox drops %d; snapshots %d/%d, last at %.0f ms; %s%n",
                        panes, r, runs, run.load(), run.uiP50(), run.uiP99(), run.uiWarmP99(), run.floorP99(),
                        run.floorWarmP99(), run.uiP99() / run.floorP99(), run.uiSeen(), run.uiGaps(),
                        run.floorSeen(), run.floorGaps(), run.skippedViewer(), run.skippedHost(),
                        run.skippedBytes(), run.pauses(), run.outboxDrops(), run.snapshots(), panes,
                        run.lastSnapshotMs(), run.open() ? "stayed connected" : "CLOSED");
                System.out.printf("%3d panes, run %d/%d GC pauses: agentd %s; control plane %s; bench client %s; "
                                + "link-late warnings %d, control-plane ingest warnings %d%n", panes, r, runs, run.agentdGc(),
                        run.controlPlaneGc(), run.benchGc(), run.linkLate(), run.ingestWarnings());
                System.out.printf("%3d panes, run %d/%d UI p99 by second of printing (ms): %s%n", panes, r, runs,
                        String.join(" ", run.uiP99BySecond()));
            }
        } finally {
            for (String p : paneIds) {
                tmux.run("kill-pane", "-t", p);
            }
        }
        String h = panes + " panes, " + runs + " runs of " + warm + "+" + seconds + " s, min / median / max:";
        System.out.println(h);
        spread(panes, "UI p99 after warm-up (ms)", results, Run::uiP99);
        spread(panes, "UI p50 after warm-up (ms)", results, Run::uiP50);
        spread(panes, "UI p99 in the warm-up (ms)", results, Run::uiWarmP99);
        spread(panes, "floor p99 after warm-up (ms)", results, Run::floorP99);
        spread(panes, "floor p99 in the warm-up (ms)", results, Run::floorWarmP99);
        spread(panes, "UI p99 / floor p99", results, x -> x.uiP99() / x.floorP99());
        spread(panes, "markers missing at the UI", results, x -> (double) x.uiGaps());
        spread(panes, "markers missing at the floor", results, x -> (double) x.floorGaps());
        spread(panes, "console.skipped frames", results, x -> (double) (x.skippedViewer() + x.skippedHost()));
        spread(panes, "time to the last snapshot (ms)", results, Run::lastSnapshotMs);
        spread(panes, "longest GC pause, agentd (ms)", results, x -> x.agentdGc().longestMillis());
        spread(panes, "longest GC pause, control plane", results, x -> x.controlPlaneGc().longestMillis());
        spread(panes, "longest GC pause, bench client", results, x -> x.benchGc().longestMillis());
        System.out.printf("%3d panes: console.subscribe commands: %d, issued over %d ms, longest queued→sent %d ms, "
                        + "longest sent→done %d ms%n", panes,
                stack.queryLong("SELECT count(*) FROM commands WHERE name = 'console.subscribe'"),
                stack.queryLong("SELECT coalesce((extract(epoch FROM max(created_at) - min(created_at)) * 1000)::bigint, 0)"
                        + " FROM commands WHERE name = 'console.subscribe'"),
                stack.queryLong("SELECT coalesce((extract(epoch FROM max(sent_at - created_at)) * 1000)::bigint, 0)"
                        + " FROM commands WHERE name = 'console.subscribe'"),
                stack.queryLong("SELECT coalesce((extract(epoch FROM max(completed_at - sent_at)) * 1000)::bigint, 0)"
                        + " FROM commands WHERE name = 'console.subscribe'"));
        System.out.printf("%3d panes: snapshots %s of %d; stayed connected in %d of %d runs%n", panes,
                results.stream().map(x -> Integer.toString(x.snapshots())).toList(), panes,
                results.stream().filter(Run::open).count(), runs);
    }

    private static void spread(int panes, String what, List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        System.out.printf(Locale.ROOT, "%3d panes  %-32s %8.1f / %8.1f / %8.1f%n", panes, what, v[0],
                v[v.length / 2], v[v.length - 1]);
    }

    /** How long the panes print, found, before the first run. */
    private static final long SETTLE_MILLIS = 5_000;
    /** How long the floor reads past the window, and the longest the viewer drains after it. */
    private static final int FLOOR_DRAIN_SECONDS = 3;
    /** How long the floor reads before the viewer joins (what it reads then is outside every pane's count). */
    private static final int FLOOR_LEAD_SECONDS = 2;
    private static final long UI_DRAIN_MAX_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * One pane as the viewer saw it: counting starts at its first snapshot (what was printed before is in that
     * screen, not in chunks) and covers markers printed up to the window's end, whenever they arrive.
     */
    private static final class PaneTally {
        final String paneId;
        MarkerClock clock;
        double startMicros = Double.NaN;
        final BitSet seen = new BitSet();
        boolean pastEnd; // a marker printed after the window's end arrived: every earlier one is in (in order)

        PaneTally(String paneId) {
            this.paneId = paneId;
        }
    }

    private static Run run(Stack stack, PrivateTmux tmux, Path dir, List<String> paneIds,
                           Map<String, String> sessionOfPane, int seconds, int warm) throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        String agentdLogBefore = stack.agentd().output();
        String cpLogBefore = stack.controlPlane().output();
        Path floorOut = dir.resolve("floor-" + System.nanoTime() + ".txt");
        // the floor's JVM is fresh each run: C1 only, and a lead before the viewer, so its own JIT has settled
        // rather than competing with the product's in the run's first second
        JavaProcess floor = JavaProcess.start("floor", dir.resolve("logs"), List.of("-Xmx64m", "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1"), FloorReader.class.getName(), List.of(tmux.socket(), "main",
                        Integer.toString(FLOOR_LEAD_SECONDS + warm + seconds + FLOOR_DRAIN_SECONDS),
                        floorOut.toString()), Map.of());
        floor.awaitLine("floor ready", Duration.ofSeconds(30));
        Thread.sleep(TimeUnit.SECONDS.toMillis(FLOOR_LEAD_SECONDS));
        Stats ui = new Stats();
        Stats uiWarm = new Stats();
        List<Stats> bySecond = new ArrayList<>();
        for (int i = 0; i < warm + seconds; i++) {
            bySecond.add(new Stats());
        }
        Map<String, PaneTally> tallies = new HashMap<>();
        int snapshots = 0;
        int skippedViewer = 0;
        int skippedHost = 0;
        long skippedBytes = 0;
        double lastSnapshot = Double.NaN;
        boolean open;
        double since = MarkerClock.nowMicros(); // the tail a joiner gets first is history, not latency
        double warmEndMicros = since + warm * 1e6;
        double endMicros = warmEndMicros + seconds * 1e6;
        try (UiClient c = new UiClient(stack.baseUrl(), stack.jwt(Role.VIEWER), true)) {
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.SECONDS.toNanos(warm + seconds);
            int n = 0;
            for (String p : paneIds) {
                String sub = "c" + n++;
                PaneTally tally = new PaneTally(p);
                tally.clock = new MarkerClock((mark, printed, ms) -> {
                    if (printed > endMicros) {
                        tally.pastEnd = true;
                    } else if (!Double.isNaN(tally.startMicros) && printed >= tally.startMicros) {
                        tally.seen.set(mark);
                        (printed < warmEndMicros ? uiWarm : ui).add(ms);
                        bySecond.get(Math.min(bySecond.size() - 1, (int) ((printed - since) / 1e6))).add(ms);
                    }
                }, since);
                tallies.put(sub, tally);
                c.subscribe(sub, "console", "{\"session_id\":\"" + sessionOfPane.get(p) + "\"}");
            }
            // the window, then a drain: markers printed inside it that are still on their way count, late
            while (System.nanoTime() < end || (System.nanoTime() < end + UI_DRAIN_MAX_NANOS
                    && tallies.values().stream().anyMatch(t -> !Double.isNaN(t.startMicros) && !t.pastEnd))) {
                JsonNode m = c.received.poll(100, TimeUnit.MILLISECONDS);
                if (m == null) {
                    continue;
                }
                PaneTally tally = tallies.get(m.path("sub").asText());
                switch (m.path("type").asText()) {
                    case "console.snapshot" -> {
                        snapshots++;
                        lastSnapshot = (System.nanoTime() - t0) / 1e6;
                        if (tally != null) {
                            if (Double.isNaN(tally.startMicros)) {
                                tally.startMicros = m.path(WsClient.RECEIVED_AT).asDouble();
                            }
                            tally.clock.resync();
                        }
                    }
                    case "console.skipped" -> {
                        if ("viewer_behind".equals(m.path("reason").asText())) {
                            skippedViewer++;
                        } else {
                            skippedHost++;
                        }
                        skippedBytes += m.path("bytes").asLong(0);
                    }
                    case "console.chunk" -> {
                        if (tally != null) {
                            tally.clock.feed(new String(Base64.getDecoder().decode(m.get("data").asText()),
                                    StandardCharsets.UTF_8), m.path(WsClient.RECEIVED_AT).asDouble());
                        }
                    }
                    default -> { }
                }
            }
            open = !c.closed();
        }
        long windowFrom = (long) (since / 1000);
        long windowTo = System.currentTimeMillis();
        floor.awaitExit(Duration.ofSeconds(30));
        Map<String, PaneTally> byPane = new HashMap<>();
        tallies.values().forEach(t -> byPane.put(t.paneId, t));
        Map<String, BitSet> floorSeen = new HashMap<>();
        Stats floorAll = new Stats();
        Stats floorWarm = new Stats();
        for (FloorReader.Sample f : FloorReader.samples(floorOut)) {
            PaneTally t = byPane.get(f.pane());
            double printed = f.printedMicros();
            if (t == null || Double.isNaN(t.startMicros) || printed < t.startMicros || printed > endMicros) {
                continue; // the viewer's window, pane by pane
            }
            floorSeen.computeIfAbsent(f.pane(), k -> new BitSet()).set(f.n());
            (printed < warmEndMicros ? floorWarm : floorAll).add(f.latencyMs());
        }
        // per pane, the markers printed in the window: every number from the first to the last either side saw
        int uiSeen = 0;
        int uiGaps = 0;
        int floorCount = 0;
        int floorGaps = 0;
        for (PaneTally t : tallies.values()) {
            BitSet fs = floorSeen.getOrDefault(t.paneId, new BitSet());
            BitSet all = (BitSet) t.seen.clone();
            all.or(fs);
            if (all.isEmpty()) {
                continue;
            }
            int printed = all.length() - all.nextSetBit(0);
            uiSeen += t.seen.cardinality();
            floorCount += fs.cardinality();
            uiGaps += printed - t.seen.cardinality();
            floorGaps += printed - fs.cardinality();
        }
        String agentdLog = since(stack.agentd(), agentdLogBefore);
        int pauses = count(agentdLog, "tmux paused");
        int drops = count(agentdLog, "outbox over its budget");
        String cpLog = since(stack.controlPlane(), cpLogBefore);
        return new Run(ui.percentile(50), ui.percentile(99), uiWarm.percentile(99), floorAll.percentile(99),
                floorWarm.percentile(99), uiSeen, uiGaps, floorCount, floorGaps, skippedViewer, skippedHost,
                skippedBytes, pauses, drops, snapshots, lastSnapshot, open, load,
                GcPauses.inLog(stack.gcLog("agentd"), windowFrom, windowTo),
                GcPauses.inLog(stack.gcLog("control-plane"), windowFrom, windowTo),
                BENCH_GC.inWindow(windowFrom, windowTo),
                bySecond.stream().map(x -> String.format(Locale.ROOT, "%.0f", x.percentile(99))).toList(),
                count(agentdLog, "reaching the control plane late"),
                count(cpLog, "to store and ack") + count(cpLog, "ingest inbox"));
    }

    /** What {@code p} has logged since its log was {@code before} (the log is read once). */
    private static String since(JavaProcess p, String before) throws java.io.IOException {
        String now = p.output();
        return now.substring(Math.min(before.length(), now.length()));
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
