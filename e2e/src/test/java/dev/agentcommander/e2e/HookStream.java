package dev.agentcommander.e2e;

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

    private HookStream(HookClient c) {
        thread = Thread.ofPlatform().name("hook-stream").start(() -> {
            try {
                while (running.get()) {
                    HookClient.Reply r = c.post("%999", "{\"hook_event_name\":\"PostToolUse\",\"session_id\":"
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

    /** Starts streaming once agentd's hook receiver on {@code port} answers. */
    static HookStream start(int port) throws InterruptedException {
        HookClient c = new HookClient(port);
        Poll.until(Duration.ofSeconds(30), "agentd hook receiver", c::up);
        return new HookStream(c);
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
