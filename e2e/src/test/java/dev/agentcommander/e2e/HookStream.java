package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady stream of Claude Code hook events into agentd from a thread of its own, counting those agentd accepted
 * (HTTP 200 = durably in its outbox). Each carries a {@code marker} 0, 1, 2, … in accepted order, so a test can
 * check that every accepted event was stored exactly once.
 */
final class HookStream implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread thread;

    private HookStream(HookClient c, String pane) {
        thread = Thread.ofPlatform().name("hook-stream").start(() -> {
            try {
                while (running.get()) {
                    HookClient.Reply r = c.post(pane, "{\"hook_event_name\":\"PostToolUse\",\"session_id\":"
                            + "\"claude-1\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"true\"},\"marker\":"
                            + accepted.get() + "}", Duration.ofSeconds(10));
                    if (r.status() == 200) {
                        accepted.incrementAndGet();
                    } else {
                        Thread.sleep(50);
                    }
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Starts streaming once agentd's hook receiver on {@code port} answers; the events name {@code pane}, which
     * must be a pane agentd's scanner knows (agentd refuses hooks for any other).
     */
    static HookStream start(int port, String pane) throws InterruptedException {
        HookClient c = new HookClient(port);
        Await.value("agentd hook receiver", Duration.ofSeconds(30), c::up);
        return new HookStream(c, pane);
    }

    /** A tmux server for {@code stack} with one pane for the stream to name; start it before agentd. */
    static String paneFor(Stack stack) throws Exception {
        return stack.tmux(java.util.Map.of()).run("display-message", "-p", "-t", "main", "#{pane_id}").trim();
    }

    int accepted() {
        return accepted.get();
    }

    /** Stops and returns how many events agentd accepted in all. */
    int stop() throws InterruptedException {
        running.set(false);
        thread.join(30_000);
        return accepted.get();
    }

    /** Stream events stored for the stack's host. */
    static long stored(Stack stack) {
        return stack.queryLong("select count(*) from events where host_id = ? and type = 'hook.PostToolUse'",
                stack.hostId());
    }

    /** Distinct markers among them: equal to {@link #stored} when none was stored twice. */
    static long distinctStored(Stack stack) {
        return stack.queryLong("select count(distinct (payload->>'marker')::int) from events where host_id = ? "
                + "and type = 'hook.PostToolUse'", stack.hostId());
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
