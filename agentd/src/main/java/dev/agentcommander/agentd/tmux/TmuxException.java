package dev.agentcommander.agentd.tmux;

/**
 * A tmux call failed; the message carries tmux's own stderr, which names the pane or target it refused. What kind
 * of failure it is, is read off tmux's words once, here ({@link #failed}), so callers choose by type and no caller
 * matches message text.
 */
public sealed class TmuxException extends RuntimeException {
    public TmuxException(String message) {
        super(message);
    }

    public TmuxException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No tmux server answers on the socket (none started yet, or the last session ended). */
    public static final class NoServer extends TmuxException {
        NoServer(String message) {
            super(message);
        }
    }

    /** tmux had nothing to default a target to ("no current session"): a server without a session to use. */
    public static final class NoCurrentTarget extends TmuxException {
        NoCurrentTarget(String message) {
            super(message);
        }
    }

    /** The pane, window or session named does not exist ("can't find pane: %9"). */
    public static final class NoSuchTarget extends TmuxException {
        NoSuchTarget(String message) {
            super(message);
        }
    }

    /** tmux did not answer within its timeout and was killed. */
    public static final class Timeout extends TmuxException {
        Timeout(String message) {
            super(message);
        }
    }

    /** The exception for {@code tmux command} exiting non-zero with {@code stderr}, of the kind tmux's words say. */
    static TmuxException failed(String command, String stderr) {
        String message = "tmux " + command + " failed: " + stderr;
        if (stderr.contains("no server running") || stderr.contains("error connecting")
                || stderr.contains("No such file or directory") || stderr.contains("server exited")) {
            // "error connecting to <socket> (No such file or directory)"; "server exited unexpectedly": the
            // last session ended while this client was connected, so the server is gone as far as we can tell
            return new NoServer(message);
        }
        if (stderr.contains("no current")) {
            return new NoCurrentTarget(message);
        }
        if (stderr.contains("can't find")) {
            return new NoSuchTarget(message);
        }
        return new TmuxException(message);
    }
}
