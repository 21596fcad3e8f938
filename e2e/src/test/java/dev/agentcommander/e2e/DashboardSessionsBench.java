package dev.agentcommander.e2e;

import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 16: the sessions page in real headless Chromium with many sessions changing. A simulated host (the agent
 * link, no tmux) reports {@code sessions} sessions, then renames them round-robin at {@code rate} a second for
 * {@code seconds}; each new name carries {@code T<epoch µs> #<n>} (when it was sent). In the page, a
 * MutationObserver on the list reads the names as they are drawn: change → DOM latency per change, and the changes
 * never drawn (dropped: neither that name nor a later one of the same session appeared by the end, after 3 s to
 * settle); a requestAnimationFrame loop gives the frame times. Each run opens the page afresh. Figures per run,
 * then min / median / max over runs. Signed in as an operator, so every row (managed: false) has its Adopt button.
 * Args: [sessions=500] [changes per second=50] [runs=5] [seconds per run=10].
 */
public final class DashboardSessionsBench {
    static final String PROBE = """
            const since = arguments[0];
            const re = /T(\\d{16}) #(\\d+)/g;
            const now = () => performance.timeOrigin + performance.now();
            const r = window.__acSessions = {lat: new Map(), frames: []};
            const list = document.querySelector('.sessions');
            new MutationObserver(() => { const t = now(); for (const m of list.textContent.matchAll(re)) {
              const at = Number(m[1]) / 1000; if (at >= since && !r.lat.has(m[2])) r.lat.set(m[2], t - at); } })
              .observe(list, {childList: true, subtree: true, characterData: true});
            let last = performance.now();
            const tick = t => { r.frames.push(t - last); last = t; r.raf = requestAnimationFrame(tick); };
            r.raf = requestAnimationFrame(tick);
            """;

    record Run(double p50, double p99, double max, double frameP50, double frameP99, double frameMax, int longFrames,
               int sent, int drawn, int dropped, String load) {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("dashboard-sessions-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            String token = stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", "sim-host")).body()
                    .get("token").asText();
            List<Run> all = new ArrayList<>();
            try (SimAgent a = new SimAgent(stack.baseUrl(), token);
                 Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.OPERATOR, null)) {
                a.run(sessions, 200, seq -> upsert(seq, (int) seq - 1, "sim-" + (seq - 1)));
                long seq = sessions;
                int n = 0;
                for (int run = 1; run <= runs; run++) {
                    c.driver.get(stack.baseUrl() + "/");
                    c.until("every session listed", java.time.Duration.ofSeconds(60), d -> ((Number) c.js(
                            "return document.querySelectorAll('.sessions [data-session-id]').length")).intValue()
                            >= sessions);
                    Thread.sleep(1000);
                    c.js(PROBE, (double) System.currentTimeMillis());
                    List<Integer> sent = new ArrayList<>();
                    long period = 1_000_000_000L / rate;
                    long start = System.nanoTime();
                    for (int i = 0; i < rate * seconds; i++) {
                        long due = start + i * period;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        n++;
                        Instant t = Instant.now();
                        long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
                        a.send(upsert(++seq, n % sessions, "sim-" + (n % sessions) + " T" + micros + " #" + n));
                        sent.add(n);
                    }
                    Thread.sleep(3000);
                    all.add(collect(c, sent, sessions));
                    Run r = all.get(all.size() - 1);
                    System.out.printf(Locale.ROOT, "run %d: change -> DOM p50 %.1f p99 %.1f max %.1f ms"
                            + " | frame p50 %.1f p99 %.1f max %.1f ms, %d frames > 50 ms"
                            + " | %d sent, %d drawn, %d dropped | load %s%n",
                            run, r.p50, r.p99, r.max, r.frameP50, r.frameP99, r.frameMax, r.longFrames, r.sent,
                            r.drawn, r.dropped, r.load);
                }
            }
            String h = sessions + " sessions, " + rate + " changes/s, " + runs + " runs of " + seconds + " s";
            System.out.println(h + " (min / median / max over runs):");
            summary("  change -> DOM p50 (ms):   ", all, Run::p50);
            summary("  change -> DOM p99 (ms):   ", all, Run::p99);
            summary("  frame time p50 (ms):      ", all, Run::frameP50);
            summary("  frame time p99 (ms):      ", all, Run::frameP99);
            summary("  dropped updates:          ", all, r -> r.dropped);
            System.out.println("[" + Stats.machine() + "]");
        }
    }

    private static void summary(String label, List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        System.out.println(label + DashboardRenderBench.spread(runs.stream().mapToDouble(f).toArray()));
    }

    static String upsert(long seq, int i, String name) {
        return "{\"v\":1,\"type\":\"sessions.upsert\",\"seq\":" + seq + ",\"ts\":\"" + Instant.now() + "\",\"payload\":"
                + "{\"session\":{\"session_id\":\"sim_" + i + "\",\"kind\":\"pane\",\"provider\":\""
                + (i % 3 == 0 ? "claude" : i % 3 == 1 ? "codex" : "shell") + "\",\"status\":\""
                + (i % 7 == 0 ? "WAITING" : "RUNNING") + "\",\"needs_attention\":" + (i % 7 == 0) + ",\"name\":\""
                + name + "\",\"tmux\":{\"session\":\"main\",\"window\":\"" + i + "\",\"pane_id\":\"%" + (i + 1)
                + "\"},\"cwd\":\"/home/dev/src/app-" + i + "\",\"git\":{\"repo\":\"/home/dev/src/app-" + i
                + "\",\"branch\":\"feature-" + i + "\",\"dirty\":false},\"title\":\"t\",\"last_activity_at\":\""
                + Instant.now() + "\",\"managed\":false}}}";
    }

    @SuppressWarnings("unchecked")
    private static Run collect(Chrome c, List<Integer> sent, int sessions) {
        c.js("cancelAnimationFrame(window.__acSessions.raf)");
        Map<String, Object> lat = (Map<String, Object>) c.js("return Object.fromEntries(window.__acSessions.lat)");
        List<Object> frames = (List<Object>) c.js("return window.__acSessions.frames");
        Stats l = new Stats();
        lat.values().forEach(v -> l.add(((Number) v).doubleValue()));
        Stats f = new Stats();
        int longFrames = 0;
        for (Object v : frames) {
            double ms = ((Number) v).doubleValue();
            f.add(ms);
            longFrames += ms > 50 ? 1 : 0;
        }
        // a change is dropped when neither it nor a later change of the same session was ever drawn
        int dropped = 0;
        for (int k = 0; k < sent.size(); k++) {
            boolean drawn = false;
            for (int j = k; j < sent.size() && !drawn; j += sessions) { // consecutive changes go round-robin
                drawn = lat.containsKey(String.valueOf(sent.get(j)));
            }
            dropped += drawn ? 0 : 1;
        }
        return new Run(l.percentile(50), l.percentile(99), l.percentile(100), f.percentile(50), f.percentile(99),
                f.percentile(100), longFrames, sent.size(), lat.size(), dropped, DashboardRenderBench.load());
    }
}
