package dev.agentcommander.controlplane.db;

/**
 * A start-up (or give-up) failure an operator can act on: a busy port, an unreachable DATABASE_URL, a data
 * directory in use or unusable. Its message is one complete line; {@code Main} prints it without a stack trace and
 * exits non-zero, so a person or a service manager sees the cause and nothing else.
 */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
