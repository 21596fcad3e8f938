package dev.agentcommander.agentd.hooks;

import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A program, not a test: the wall time of one {@code agentd-hook} run (bash + curl + the receiver) with a
 * receiver that answers at once, p50/p99 over N runs, over the Unix socket and over the opt-in loopback TCP
 * port of the same receiver. Run: {@code java -cp … HookOverheadBench [N]}.
 */
public final class HookOverheadBench {
    /** Hook events the receiver stored: each timed run must add one, or it measured a hook that failed. */
    private static final java.util.concurrent.atomic.AtomicInteger STORED = new java.util.concurrent.atomic.AtomicInteger();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        AtomicReference<ApprovalBroker> brokerRef = new AtomicReference<>();
        Outbound outbound = m -> {
            if (m instanceof AgentMessage.EventsAppend) {
                STORED.incrementAndGet();
            }
            if (m instanceof AgentMessage.ApprovalRequested r) {
                Thread.ofVirtual().start(() -> {
                    while (brokerRef.get().waitingCount() == 0) {
                        Thread.onSpinWait();
                    }
                    brokerRef.get().onDecision(new ServerMessage.ApprovalDecision(r.approvalId(), ApprovalBehavior.ALLOW, null,
                            null, null));
                });
            }
            return 0;
        };
        FakeSessions directory = new FakeSessions();
        directory.add("%1", "s-1");
        RecordingStatus status = new RecordingStatus();
        ApprovalBroker broker = new ApprovalBroker(outbound, status, null, Clock.systemUTC(), ApprovalMode.HOOK,
                Duration.ofSeconds(600), 64).start();
        brokerRef.set(broker);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("hook-bench");
        HookServer server = new HookServer(HookServer.Settings.of(dir.resolve("hooks.sock"))
                .withListen(ListenAddress.parse("127.0.0.1:0")), outbound, directory, status, broker);
        server.start();
        String socket = server.socketPath().toString();
        String listen = "127.0.0.1:" + server.tcpAddress().getPort();
        try {
            String pre = "{\"session_id\":\"c\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
                    + "\"tool_input\":{\"command\":\"ls -la\"},\"cwd\":\"/tmp\"}";
            String perm = pre.replace("PreToolUse", "PermissionRequest");
            // unix and tcp runs alternate, so load from elsewhere on the machine falls on both alike
            List<List<Long>> pres = run(List.of(socket, listen), pre, n);
            List<List<Long>> perms = run(List.of(socket, listen), perm, n);
            report("unix: PreToolUse (answered at once)", pres.get(0));
            report("tcp:  PreToolUse (answered at once)", pres.get(1));
            report("unix: PermissionRequest (decided at once)", perms.get(0));
            report("tcp:  PermissionRequest (decided at once)", perms.get(1));
            report("baseline: bash -c true", runCmd(n, "bash", "-c", "true"));
        } finally {
            server.close();
            broker.close();
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    /** Wall times per target, the targets taking turns run by run. */
    private static List<List<Long>> run(List<String> targets, String json, int n) throws Exception {
        for (int i = 0; i < 10; i++) {
            for (String where : targets) {
                HookScript.run(where, "%1", json);
            }
        }
        List<List<Long>> micros = new ArrayList<>();
        targets.forEach(t -> micros.add(new ArrayList<>()));
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < targets.size(); t++) {
                int before = STORED.get();
                long t0 = System.nanoTime();
                HookScript.Result r = HookScript.start(targets.get(t), "%1", json.getBytes(StandardCharsets.UTF_8))
                        .result();
                micros.get(t).add((System.nanoTime() - t0) / 1000);
                if (r.exit() != 0 || STORED.get() != before + 1
                        || json.contains("PermissionRequest") && !r.stdout().contains("\"allow\"")) {
                    throw new IllegalStateException("hook did not get through: exit " + r.exit() + ", " + r.stdout());
                }
            }
        }
        return micros;
    }

    private static List<Long> runCmd(int n, String... cmd) throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            new ProcessBuilder(cmd).start().waitFor();
            micros.add((System.nanoTime() - t0) / 1000);
        }
        return micros;
    }

    private static void report(String what, List<Long> micros) {
        Collections.sort(micros);
        System.out.printf("%-40s n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms%n", what, micros.size(),
                micros.get(micros.size() / 2) / 1000.0, micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000.0,
                micros.get(micros.size() - 1) / 1000.0);
    }

    private HookOverheadBench() {
    }
}
