package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 23 figures: the time from SIGKILL of the control plane's embedded postmaster to {@code /health} answering
 * 200 again (the supervisor notices, crash recovery replays the WAL, the pool reconnects), idle or while agentd
 * streams hook events; and whether every accepted event was stored exactly once. Args: [kills=10] [load|idle].
 */
public final class DbRestartBench {
    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        boolean load = args.length < 2 || args[1].equals("load");
        Path dir = Files.createTempDirectory("db-restart-bench");
        try (Stack stack = new Stack(dir).controlPlaneOwnsDatabase()) {
            JavaProcess cp = stack.startControlPlane();
            stack.registerHost("bench-host");
            String pane = HookStream.paneFor(stack);
            stack.startAgentd();
            HookStream events = load ? HookStream.start(stack.hooksPort, pane) : null;
            if (load) {
                Await.value("events flowing", Duration.ofSeconds(30), () -> HookStream.stored(stack) >= 200);
            }
            Stats health = new Stats();
            for (int i = 0; i < kills; i++) {
                long pid = postmasterPid(stack);
                long t0 = System.nanoTime();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                Await.value("/health ok", Duration.ofSeconds(30), () -> postmasterPid(stack) != pid
                        && stack.rest(null).get("/health").status() == 200);
                health.add((System.nanoTime() - t0) / 1e6);
                Thread.sleep(2000); // WAL to replay at the next kill
            }
            System.out.printf(Locale.ROOT, "SIGKILL of the embedded postmaster -> /health 200 (%s): n=%d "
                    + "min=%.0f ms median=%.0f ms max=%.0f ms%n", load ? "agentd streaming hook events" : "idle",
                    health.count(), health.percentile(0), health.percentile(50), health.percentile(100));
            Stats back = new Stats(); // the supervisor's own figure: death to the new postmaster accepting connections
            Matcher m = Pattern.compile("embedded Postgres is back \\(pid \\d+\\) (\\d+) ms after")
                    .matcher(cp.output());
            while (m.find()) {
                back.add(Double.parseDouble(m.group(1)));
            }
            System.out.printf(Locale.ROOT, "  of which death -> new postmaster accepting (the supervisor's log): n=%d "
                    + "min=%.0f ms median=%.0f ms max=%.0f ms%n", back.count(), back.percentile(0),
                    back.percentile(50), back.percentile(100));
            if (load) {
                int total = events.stop();
                Await.value("backlog stored", Duration.ofSeconds(90), () -> HookStream.stored(stack) >= total);
                System.out.printf(Locale.ROOT, "events accepted by agentd %d, stored %d, distinct %d%n", total,
                        HookStream.stored(stack), HookStream.distinctStored(stack));
            }
            System.out.println("[" + Stats.machine() + "]");
        }
    }

    private static long postmasterPid(Stack stack) {
        try {
            return Long.parseLong(Files.readAllLines(stack.controlPlaneDataDir().resolve("pg/postmaster.pid"))
                    .get(0).trim());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
