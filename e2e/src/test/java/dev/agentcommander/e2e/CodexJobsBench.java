package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.controlplane.auth.Role;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 17 figures, with the stand-in {@code codex} under agentd's job runner (real agentd, control plane, Postgres):
 * (1) a job's stdout line printed → its event on a UI subscriber's socket; (2) {@code spawn_job} posted → the codex
 * process started (its first instruction's clock); (3) a 50 000-line job drained, with agentd's RSS sampled all the
 * while. Both clocks are this machine's wall clock in microseconds. Args: [jobs=5] [lines per job=50]
 * [drain lines=50000].
 */
public final class CodexJobsBench {
    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int lines = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int drain = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        Path dir = Files.createTempDirectory("codex-jobs-bench");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        try (InputStream in = CodexJobsBench.class.getResourceAsStream("/standins/codex-headless")) {
            Files.copy(in, bin.resolve("codex"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(bin.resolve("codex"), PosixFilePermissions.fromString("rwx------"));
        Path work = Files.createDirectories(dir.resolve("work"));
        System.out.println("load before: " + uptime());
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            if (NMT) { // BENCH_NMT=1: native memory tracking, to say what the anonymous RSS is (costs a few MB itself)
                stack.agentdJvm = new ArrayList<>(Stack.LAUNCHER_AGENTD_JVM);
                stack.agentdJvm.add("-XX:NativeMemoryTracking=summary");
            }
            stack.agentdConfig.put("codex_exec_path", bin.resolve("codex").toString());
            stack.startAgentd();
            Await.value("agentd connected", Duration.ofSeconds(30), () -> stack.rest(Role.VIEWER).get("/v1/hosts")
                    .body().get("items").get(0).path("connected").asBoolean());
            Rest op = stack.rest(Role.OPERATOR);
            List<Double> visible = new ArrayList<>();
            List<Double> spawn = new ArrayList<>();
            try (UiClient ui = new UiClient(stack.baseUrl(), stack.jwt(Role.VIEWER))) {
                for (int j = 0; j < jobs + 1; j++) { // the first job warms up and is not counted
                    double posted = MarkerClock.nowMicros();
                    String sid = spawn(stack, op, work, "[[clock:" + lines + "]]");
                    ui.subscribe("e" + j, "events", "{\"session_id\":\"" + sid + "\"}");
                    ui.await(Duration.ofSeconds(10), "subscribed", UiClient.type("subscribed"));
                    int seen = 0;
                    while (seen < lines) {
                        JsonNode m = ui.await(Duration.ofSeconds(30), "a T line", x -> "events.appended".equals(
                                x.path("type").asText()) && text(x).matches("T\\d+\\.\\d+"));
                        double now = MarkerClock.nowMicros();
                        double at = Double.parseDouble(text(m).substring(1)) * 1e6;
                        seen++;
                        if (j > 0) {
                            visible.add((now - at) / 1000.0);
                        }
                    }
                    ui.unsubscribe("e" + j);
                    awaitFinished(stack, sid);
                    if (j > 0) { // the S line (printed before the subscription) from the stored events
                        for (JsonNode e : stack.rest(Role.VIEWER).get("/v1/sessions/" + sid + "/events?limit=1000")
                                .body().get("items")) {
                            String t = e.path("payload").path("item").path("text").asText("");
                            if (t.matches("S\\d+\\.\\d+")) {
                                spawn.add((Double.parseDouble(t.substring(1)) * 1e6 - posted) / 1000.0);
                            }
                        }
                    }
                }
            }
            System.out.println("job line printed -> event on a UI subscriber: " + summary(visible, " ms"));
            System.out.println("spawn_job posted -> codex process started:   " + summary(spawn, " ms"));
            // the drain: one job printing `drain` lines as fast as bash can; agentd's RSS sampled every 200 ms
            long pid = stack.agentd().pid();
            long rssBefore = ProcStat.rssKb(pid);
            String splitBefore = ProcStat.rssBreakdown(pid, ".cq4");
            long t0 = System.nanoTime();
            String sid = spawn(stack, op, work, "[[many:" + drain + "]]");
            List<Double> rss = new ArrayList<>();
            long peak = 0;
            String splitAtPeak = splitBefore;
            while (!finished(stack, sid)) {
                long now = ProcStat.rssKb(pid);
                rss.add(now / 1024.0);
                if (now > peak) {
                    peak = now;
                    splitAtPeak = ProcStat.rssBreakdown(pid, ".cq4");
                }
                Thread.sleep(200);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long stored = stack.queryLong("select count(*) from events where session_id = ? and type like 'codex.%'",
                    sid);
            System.out.printf(Locale.ROOT, "%d-line job: posted -> DONE %.1f s (%d codex events stored); agentd RSS "
                            + "before %.1f MB, during %s%n", drain, secs, stored, rssBefore / 1024.0,
                    summary(rss, " MB"));
            if (NMT) {
                nmt(pid, "after the drain");
            }
            System.out.println("agentd RSS before the drain: " + splitBefore);
            System.out.println("agentd RSS at its peak:      " + splitAtPeak);
            Thread.sleep(5000);
            System.out.printf(Locale.ROOT, "agentd RSS 5 s after DONE:   %.1f MB, %s%n", ProcStat.rssKb(pid) / 1024.0,
                    ProcStat.rssBreakdown(pid, ".cq4"));
            System.out.println("load after: " + uptime());
            System.out.println("[" + Stats.machine() + "]");
        }
    }

    private static final boolean NMT = System.getenv("BENCH_NMT") != null;

    /** The committed memory per NMT category of agentd (jcmd VM.native_memory summary), one line. */
    private static void nmt(long pid, String when) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary", "scale=MB")
                .redirectErrorStream(true).start();
        StringBuilder b = new StringBuilder("agentd NMT committed " + when + ":");
        for (String line : new String(p.getInputStream().readAllBytes()).lines().toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("^(?:-\\s*)?(\\S[^(]*?)\\s*\\(reserved=\\d+MB, committed=(\\d+)MB").matcher(line.strip());
            if (m.find() && !"0".equals(m.group(2))) {
                b.append(' ').append(m.group(1).strip()).append('=').append(m.group(2)).append("MB");
            }
        }
        p.waitFor();
        System.out.println(b);
    }

    private static String text(JsonNode m) {
        return m.path("event").path("payload").path("item").path("text").asText("");
    }

    static String spawn(Stack stack, Rest op, Path work, String prompt) {
        Rest.Reply r = op.post("/v1/hosts/" + stack.hostId() + "/commands", Map.of("type", "spawn_job", "cwd",
                work.toString(), "prompt", prompt));
        String cid = r.body().get("command_id").asText();
        JsonNode c = Await.value("spawn_job result", Duration.ofSeconds(30), () -> {
            JsonNode x = stack.rest(Role.VIEWER).get("/v1/commands/" + cid).body();
            return x.get("status").asText().matches("completed|failed") ? x : null;
        });
        if (!c.get("ok").asBoolean()) {
            throw new IllegalStateException("spawn_job failed: " + c);
        }
        return c.get("result").get("session_id").asText();
    }

    static boolean finished(Stack stack, String sid) {
        return stack.rest(Role.VIEWER).get("/v1/sessions/" + sid).body().path("status").asText()
                .matches("DONE|ERROR|EXITED");
    }

    static void awaitFinished(Stack stack, String sid) {
        Await.value("job " + sid + " finished", Duration.ofSeconds(60), () -> finished(stack, sid));
    }

    /** min / median / p99 / max of {@code v}. */
    static String summary(List<Double> v, String unit) {
        if (v.isEmpty()) {
            return "n=0";
        }
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return String.format(Locale.ROOT, "n=%d min=%.2f%s median=%.2f%s p99=%.2f%s max=%.2f%s", s.size(), s.get(0),
                unit, s.get(s.size() / 2), unit, s.get(Math.max(0, (int) Math.ceil(0.99 * s.size()) - 1)), unit,
                s.getLast(), unit);
    }

    static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim() + " at " + Instant.now();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
