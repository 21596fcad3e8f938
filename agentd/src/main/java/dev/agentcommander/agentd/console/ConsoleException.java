package dev.agentcommander.agentd.console;

/** A console request that cannot be served (unknown session, pane without tmux, console closed); the message
 *  is meant for the {@code commands.result} error the requester sees. */
public final class ConsoleException extends RuntimeException {
    public ConsoleException(String message) {
        super(message);
    }
}
