package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 16: pane output → rendered in the dashboard's terminal, in real headless Chromium against the whole stack.
 * A pane prints {@code T<$EPOCHREALTIME> #<n>} every 50 ms; the session page's terminal (xterm.js) gets it through
 * agentd, the control plane and the UI socket. In the page, two clocks read the same markers: when xterm's buffer
 * holds the line ({@code onWriteParsed}) and when the terminal's DOM shows it (a MutationObserver on its rows);
 * latency is that moment (epoch, {@code performance.timeOrigin + now()}) minus the pane's. The first seconds after
 * the page opens are warm-up. Each run opens the page in a fresh browser; figures per run, then min / median / max
 * over runs.
 * Args: [runs=5] [seconds per run=10] [warm-up seconds=2].
 */
public final class DashboardRenderBench {
    static final String PANE_SCRIPT = "i=0; while :; do i=$((i+1)); printf 'T%s #%d\\n' \"$EPOCHREALTIME\" \"$i\";"
            + " sleep 0.05; done";
    /** In the page: counts markers as the buffer parses them and as the DOM shows them, from a given epoch ms. */
    static final String PROBE = """
            const since = arguments[0];
            const re = /T(\\d{9,11})\\.(\\d{6}) #(\\d+)(?=\\s*(\\n|$))/g;
            const now = () => performance.timeOrigin + performance.now();
            const r = window.__acRender = {buffer: new Map(), dom: new Map()};
            const scan = (text, into) => { const t = now(); for (const m of text.matchAll(re)) {
              const at = Number(m[1]) * 1000 + Number(m[2]) / 1000;
              if (at >= since && !into.has(m[3])) into.set(m[3], t - at); } };
            window.__acTerminal.onWriteParsed(() => scan(window.__acTerminal.bufferText(60), r.buffer));
            const rows = document.querySelector('[data-terminal] .xterm-rows');
            new MutationObserver(() => scan([...rows.children].map(x => x.textContent).join('\\n'), r.dom))
              .observe(rows, {childList: true, subtree: true, characterData: true});
            """;

    record Run(double bufP50, double bufP99, double domP50, double domP99, double domMax, int seen, String load) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warm = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dir = Files.createTempDirectory("dashboard-render-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            PrivateTmux tmux = stack.tmux(Map.of());
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            stack.startAgentd();
            String pane = tmux.window(dir, "bash", "--norc", "--noprofile", "-c", PANE_SCRIPT);
            String session = Await.value("session", Duration.ofSeconds(30),
                    () -> FoundationLookup.sessionId(stack, pane));
            List<Run> all = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                // a fresh browser per run, so no run starts with another's cache, sockets or JIT state
                try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.OPERATOR, null)) {
                    c.driver.get(stack.baseUrl() + "/sessions/" + session);
                    try {
                        c.until("terminal", Duration.ofSeconds(60), d -> Boolean.TRUE.equals(c.js("return !!window"
                                + ".__acTerminal && !!document.querySelector('[data-terminal] .xterm-rows')")));
                    } catch (org.openqa.selenium.TimeoutException e) {
                        throw new IllegalStateException("no terminal on the page after 60 s; it shows: "
                                + c.js("return document.body.innerText.slice(0, 500)"), e);
                    }
                    Thread.sleep(warm * 1000L);
                    double since = System.currentTimeMillis();
                    c.js(PROBE, since);
                    Thread.sleep(seconds * 1000L);
                    Run r = collect(c, load());
                    all.add(r);
                    System.out.printf(Locale.ROOT, "run %d: buffer p50 %.1f p99 %.1f ms | DOM p50 %.1f p99 %.1f"
                            + " max %.1f ms | %d markers | load %s%n", run, r.bufP50, r.bufP99, r.domP50, r.domP99,
                            r.domMax, r.seen, r.load);
                }
            }
            System.out.println("pane output -> in xterm's buffer, p50 (ms):  " + spread(all.stream()
                    .mapToDouble(Run::bufP50).toArray()));
            System.out.println("pane output -> in xterm's buffer, p99 (ms):  " + spread(all.stream()
                    .mapToDouble(Run::bufP99).toArray()));
            System.out.println("pane output -> rendered in the DOM, p50 (ms): " + spread(all.stream()
                    .mapToDouble(Run::domP50).toArray()));
            System.out.println("pane output -> rendered in the DOM, p99 (ms): " + spread(all.stream()
                    .mapToDouble(Run::domP99).toArray()));
            System.out.println("[" + runs + " runs of " + seconds + " s, a marker every 50 ms; " + Stats.machine()
                    + "]");
        }
    }

    @SuppressWarnings("unchecked")
    private static Run collect(Chrome c, String load) {
        List<Object> buf = (List<Object>) c.js("return [...window.__acRender.buffer.values()]");
        List<Object> dom = (List<Object>) c.js("return [...window.__acRender.dom.values()]");
        Stats b = new Stats();
        Stats d = new Stats();
        buf.forEach(v -> b.add(((Number) v).doubleValue()));
        dom.forEach(v -> d.add(((Number) v).doubleValue()));
        if (d.count() == 0) {
            throw new IllegalStateException("no marker reached the terminal's DOM");
        }
        return new Run(b.percentile(50), b.percentile(99), d.percentile(50), d.percentile(99), d.percentile(100),
                d.count(), load);
    }

    /** The 1-, 5- and 15-minute load averages, as {@code uptime} prints them. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** "min / median / max" of per-run figures. */
    static String spread(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", s[0], median, s[s.length - 1]);
    }
}
