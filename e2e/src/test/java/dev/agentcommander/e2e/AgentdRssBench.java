package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 2 figures: agentd's RSS and CPU with N idle panes (default 50) at the default poll interval, run with the
 * launcher's JVM flags; and how long a new pane takes to appear in {@code GET /v1/sessions}.
 * Args: [panes=50] [measure seconds=60] [appear samples=20].
 */
public final class AgentdRssBench {
    public static void main(String[] args) throws Exception {
        int panes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path dir = Files.createTempDirectory("agentd-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            PrivateTmux tmux = stack.tmux(Map.of());
            for (int i = 1; i < panes; i++) { // the session's first window is pane 1
                tmux.window(dir, "bash", "--norc", "--noprofile");
            }
            stack.agentdConfig.put("poll_interval_ms", "1000");
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            JavaProcess agentd = stack.startAgentd();
            Await.value("all panes announced", Duration.ofSeconds(60),
                    () -> stack.queryLong("select count(*) from sessions") >= panes);
            Thread.sleep(10_000); // settle: JIT, first git look-ups, class loading
            long pid = agentd.pid();
            double cpu0 = ProcStat.cpuSeconds(pid);
            long t0 = System.nanoTime();
            long maxRss = 0;
            while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
                maxRss = Math.max(maxRss, ProcStat.rssKb(pid));
                Thread.sleep(1000);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpuPct = 100 * (ProcStat.cpuSeconds(pid) - cpu0) / wall;
            System.out.printf(Locale.ROOT, "agentd with %d idle panes, poll 1000 ms, launcher JVM flags: RSS now %d MB, "
                    + "max %d MB; CPU %.2f %% of one core over %.0f s%n", panes, ProcStat.rssKb(pid) / 1024,
                    maxRss / 1024, cpuPct, wall);

            Stats appear = new Stats();
            for (int i = 0; i < samples; i++) {
                long start = System.nanoTime();
                String pane = tmux.window(dir, "sleep", "600");
                Await.value("pane in REST", Duration.ofSeconds(30), () -> FoundationLookup.session(stack, pane));
                appear.add((System.nanoTime() - start) / 1e6);
                tmux.run("kill-pane", "-t", pane);
                Thread.sleep(300 + (long) (Math.random() * 700)); // sample different phases of the poll
            }
            System.out.println("pane created -> visible in GET /v1/sessions (poll 1000 ms): " + appear.summary(" ms"));
            System.out.println("[" + Stats.machine() + "]");
        }
    }
}
