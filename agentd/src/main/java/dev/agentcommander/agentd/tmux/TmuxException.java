package dev.agentcommander.agentd.tmux;

/** A tmux call failed; the message carries tmux's own stderr, which names the pane or target it refused. */
public final class TmuxException extends RuntimeException {
    public TmuxException(String message) {
        super(message);
    }

    public TmuxException(String message, Throwable cause) {
        super(message, cause);
    }
}
