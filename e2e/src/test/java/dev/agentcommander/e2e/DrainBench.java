package dev.agentcommander.e2e;

import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 3 figures: agentd's outbox append throughput; agentd's RSS while the server is away with a large backlog
 * and hook events still arriving; and the time to drain the backlog (default 100 000 messages) once the control
 * plane is back. Args: [queued=100000] [hook events while away=5000].
 */
public final class DrainBench {
    public static void main(String[] args) throws Exception {
        int queued = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int hookEvents = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        Path dir = Files.createTempDirectory("drain-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            stack.controlPlane().stop(); // the server is away from here on

            Files.createDirectories(stack.agentdStateDir());
            long t0 = System.nanoTime();
            try (Outbox outbox = new Outbox(stack.agentdStateDir(), 4L << 30, Clock.systemUTC())) {
                for (int i = 0; i < queued; i++) {
                    outbox.send(new AgentMessage.EventsAppend("s_bench", "hook.PostToolUse", Json.mapper()
                            .createObjectNode().put("tool_name", "Bash").put("n", i)
                            .put("command", "npm test -- --watch=false").put("cwd", "/home/dev/src/app")));
                }
            }
            double appendSecs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "outbox append (Chronicle Queue, in process): %d messages in %.2f s = %.0f/s%n",
                    queued, appendSecs, queued / appendSecs);

            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            String pane = HookStream.paneFor(stack); // agentd accepts hooks only for panes it knows
            JavaProcess agentd = stack.startAgentd();
            HookClient hooks = new HookClient(stack.hooksPort);
            Await.value("hook receiver", Duration.ofSeconds(30), hooks::up);
            long rssBefore = ProcStat.rssKb(agentd.pid());
            long h0 = System.nanoTime();
            for (int i = 0; i < hookEvents; i++) {
                HookClient.Reply r = hooks.post(pane, "{\"hook_event_name\":\"PostToolUse\",\"session_id\":\"c\","
                        + "\"tool_name\":\"Bash\",\"marker\":" + i + "}", Duration.ofSeconds(10));
                if (r.status() != 200) {
                    throw new IllegalStateException("hook event refused: " + r);
                }
            }
            double hookSecs = (System.nanoTime() - h0) / 1e9;
            System.out.printf(Locale.ROOT, "hook events into agentd while the server is away: %.0f/s (sequential HTTP);"
                    + " agentd RSS %d MB before, %d MB after, with %d messages queued%n", hookEvents / hookSecs,
                    rssBefore / 1024, ProcStat.rssKb(agentd.pid()) / 1024, queued + hookEvents);

            long total = queued + hookEvents;
            long d0 = System.nanoTime();
            stack.startControlPlane();
            long back = System.nanoTime();
            Await.value("backlog drained", Duration.ofMinutes(5),
                    () -> stack.queryLong("select last_acked_seq from hosts where id = ?", stack.hostId()) >= total);
            long done = System.nanoTime();
            System.out.printf(Locale.ROOT, "drain of %d queued messages after reconnect: %.2f s from control plane "
                    + "listening (%.2f s including its start); %d rows stored%n", total, (done - back) / 1e9,
                    (done - d0) / 1e9, stack.queryLong("select count(*) from events"));
            System.out.println("[" + Stats.machine() + "]");
        }
    }
}
