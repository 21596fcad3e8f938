package dev.agentcommander.agentd.console;

import java.time.Duration;

/**
 * How output is batched: wait at most {@code linger} after the first byte, never hold more than a chunk. How a
 * pane that outruns agentd is handled: {@code pauseAfter} (whole seconds; negative = off) is tmux's
 * {@code pause-after}: tmux pauses a pane this client is that far behind on, and the console resumes it at once
 * with a {@code resync} snapshot, so viewers redraw rather than wait for a backlog. And how often a busy pane
 * gets a {@code keyframe} snapshot, so the control plane's tail for late joiners stays short: once the output
 * since the last screen is worth more than replaying it (twice the screen's size, at most {@code keyframeBytes}),
 * at most once per {@code keyframeEvery}.
 */
public record ConsoleConfig(Duration linger, int maxChunkBytes, Duration pauseAfter, int keyframeBytes,
                            Duration keyframeEvery) {
    public static final ConsoleConfig DEFAULTS = new ConsoleConfig(Duration.ofMillis(5), 16 * 1024);

    public ConsoleConfig {
        if (linger.isNegative() || linger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("console linger must be 0..1000 ms: " + linger);
        }
        if (maxChunkBytes < 256 || maxChunkBytes > 1 << 20) {
            throw new IllegalArgumentException("console max_chunk_bytes must be 256..1048576: " + maxChunkBytes);
        }
        if (pauseAfter.compareTo(Duration.ofSeconds(300)) > 0) {
            throw new IllegalArgumentException("console pause_after must be at most 300 s: " + pauseAfter);
        }
        if (keyframeBytes < 1024 || keyframeEvery.isNegative()) {
            throw new IllegalArgumentException("console keyframes: at least 1024 bytes, a period >= 0");
        }
    }

    /** The defaults for flow control: pause after 2 s behind, a keyframe per two screens of output (at most
     *  64 KiB apart), at most one a second. */
    public ConsoleConfig(Duration linger, int maxChunkBytes) {
        this(linger, maxChunkBytes, Duration.ofSeconds(2), 64 * 1024, Duration.ofSeconds(1));
    }

    int pauseAfterSeconds() {
        return pauseAfter.isNegative() ? -1 : (int) pauseAfter.toSeconds();
    }
}
