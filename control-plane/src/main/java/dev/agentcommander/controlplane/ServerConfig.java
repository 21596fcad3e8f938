package dev.agentcommander.controlplane;

import dev.agentcommander.controlplane.notify.NotifyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the control plane reads from its environment, read once and validated, so a typo fails at start
 * with the variable's name instead of surfacing later as odd behaviour. {@code databaseUrl} null means the
 * embedded Postgres under {@code dataDir/pg}; {@code jwtSecret} null means the secret kept in
 * {@code dataDir/jwt-secret}. {@code EMBEDDED_DB_PORT} fixes the embedded Postgres port (0 = any free port);
 * {@code EMBEDDED_DB_GIVE_UP_SECONDS} (default 60) is how long the embedded Postgres may stay down, at start or
 * after a crash, before the control plane exits non-zero for a service manager to take over.
 * GITHUB_*, ADMIN_EMAILS and ALLOWED_EMAILS belong to the sign-in issue and are not read yet. {@code NOTIFY_*}
 * configure notifications ({@link NotifyConfig}; an unknown {@code NOTIFY_} variable is an error).
 */
public record ServerConfig(String databaseUrl, String jwtSecret, String host, int port, String publicUrl,
                           Path dataDir, int embeddedDbPort, Duration embeddedDbGiveUp, NotifyConfig notifications) {
    public static final int DEFAULT_EMBEDDED_DB_GIVE_UP_SECONDS = 60;

    public ServerConfig {
        if (notifications == null) {
            throw new ConfigException("NOTIFY_*", "missing (use NotifyConfig.NONE for no notifications)");
        }
        if (host == null || host.isBlank()) {
            throw new ConfigException("HOST", "must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("PORT", "must be 0..65535, got " + port);
        }
        if (embeddedDbPort < 0 || embeddedDbPort > 65535) {
            throw new ConfigException("EMBEDDED_DB_PORT", "must be 0..65535, got " + embeddedDbPort);
        }
        if (embeddedDbGiveUp.toSeconds() < 1 || embeddedDbGiveUp.toSeconds() > 86_400) {
            throw new ConfigException("EMBEDDED_DB_GIVE_UP_SECONDS", "must be 1..86400, got "
                    + embeddedDbGiveUp.toSeconds());
        }
        if (dataDir == null) {
            throw new ConfigException("DATA_DIR", "is required");
        }
        if (jwtSecret != null && jwtSecret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("JWT_SECRET", "must be at least 32 bytes (HS256)");
        }
        if (databaseUrl != null && !databaseUrl.startsWith("jdbc:postgresql:")
                && !databaseUrl.startsWith("postgres://") && !databaseUrl.startsWith("postgresql://")) {
            throw new ConfigException("DATABASE_URL", "must start with jdbc:postgresql:, postgres:// or postgresql://");
        }
        if (publicUrl != null && !publicUrl.startsWith("http://") && !publicUrl.startsWith("https://")) {
            throw new ConfigException("PUBLIC_URL", "must start with http:// or https://");
        }
    }

    /** The configuration without notifications. */
    public ServerConfig(String databaseUrl, String jwtSecret, String host, int port, String publicUrl, Path dataDir,
                        int embeddedDbPort, Duration embeddedDbGiveUp) {
        this(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort, embeddedDbGiveUp,
                NotifyConfig.NONE);
    }

    /** This configuration with {@code n} as its notification settings. */
    public ServerConfig withNotify(NotifyConfig n) {
        return new ServerConfig(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort,
                embeddedDbGiveUp, n);
    }

    /** The configuration with the default give-up bound for the embedded Postgres. */
    public ServerConfig(String databaseUrl, String jwtSecret, String host, int port, String publicUrl, Path dataDir,
                        int embeddedDbPort) {
        this(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort,
                Duration.ofSeconds(DEFAULT_EMBEDDED_DB_GIVE_UP_SECONDS));
    }

    /** Reads the environment (pass {@code System.getenv()}); blank values count as absent. */
    public static ServerConfig fromEnv(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        String dataDir = value(env, "DATA_DIR");
        Path dir;
        if (dataDir != null) {
            dir = Path.of(dataDir);
        } else if (value(env, "XDG_DATA_HOME") != null) {
            dir = Path.of(value(env, "XDG_DATA_HOME"), "agent-commander");
        } else {
            dir = Path.of(home, ".local", "share", "agent-commander");
        }
        String host = value(env, "HOST");
        return new ServerConfig(value(env, "DATABASE_URL"), value(env, "JWT_SECRET"),
                host == null ? "0.0.0.0" : host, intValue(env, "PORT", 8080), value(env, "PUBLIC_URL"),
                dir.toAbsolutePath(), intValue(env, "EMBEDDED_DB_PORT", 0), Duration.ofSeconds(
                intValue(env, "EMBEDDED_DB_GIVE_UP_SECONDS", DEFAULT_EMBEDDED_DB_GIVE_UP_SECONDS)), notifyConfig(env));
    }

    private static NotifyConfig notifyConfig(Map<String, String> env) {
        try {
            return NotifyConfig.fromEnv(env);
        } catch (NotifyConfig.Invalid e) {
            throw new ConfigException(e.key(), e.problem());
        }
    }

    private static String value(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static int intValue(Map<String, String> env, String key, int dflt) {
        String v = value(env, key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "must be an integer, got '" + v + "'");
        }
    }

    /** A configuration error; the message always starts with the variable's name. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String key, String problem) {
            super(key + ": " + problem);
        }
    }
}
