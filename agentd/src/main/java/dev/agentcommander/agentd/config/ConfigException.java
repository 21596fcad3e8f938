package dev.agentcommander.agentd.config;

/** The configuration cannot be used; the message starts with the full key path it is about. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
