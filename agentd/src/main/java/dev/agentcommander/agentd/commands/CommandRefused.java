package dev.agentcommander.agentd.commands;

/**
 * A command that cannot be carried out as asked (unknown session or pane, a path that is not a repository, an
 * existing worktree, a command this agentd does not support yet). Its message is the {@code commands.result}
 * error the requester sees; any other unexpected exception is reported as an internal error instead.
 */
final class CommandRefused extends RuntimeException {
    public CommandRefused(String message) {
        super(message);
    }

    public CommandRefused(String message, Throwable cause) {
        super(message, cause);
    }
}
