package dev.agentcommander.controlplane;

import dev.agentcommander.schema.log.LogLines;
import java.util.Locale;
import java.util.Map;

/**
 * The operations settings of the control plane, read from the environment with the rest of {@link ServerConfig}:
 * {@code METRICS_ENABLED} (default true) and {@code METRICS_TOKEN} (the bearer {@code GET /metrics} wants; unset:
 * loopback callers only), {@code EVENTS_RETENTION_DAYS} (default 30) and {@code AUDIT_RETENTION_DAYS} (default
 * 365; 0 keeps rows forever), {@code LOG_FORMAT} ({@code text} or {@code json}). Each error names its key.
 */
public record OpsConfig(boolean metricsEnabled, String metricsToken, int eventsRetentionDays,
                        int auditRetentionDays, LogLines.Format logFormat) {
    public static final int DEFAULT_EVENTS_RETENTION_DAYS = 30;
    public static final int DEFAULT_AUDIT_RETENTION_DAYS = 365;
    static final int MAX_RETENTION_DAYS = 36_500;
    static final int MIN_TOKEN_LENGTH = 16;
    public static final OpsConfig DEFAULTS = new OpsConfig(true, null, DEFAULT_EVENTS_RETENTION_DAYS,
            DEFAULT_AUDIT_RETENTION_DAYS, LogLines.Format.TEXT);

    public OpsConfig {
        if (metricsToken != null && (metricsToken.length() < MIN_TOKEN_LENGTH || !metricsToken.matches("[\\x21-\\x7e]+"))) {
            throw new ServerConfig.ConfigException("METRICS_TOKEN", "must be at least " + MIN_TOKEN_LENGTH
                    + " printable characters without spaces");
        }
        days("EVENTS_RETENTION_DAYS", eventsRetentionDays);
        days("AUDIT_RETENTION_DAYS", auditRetentionDays);
        if (logFormat == null) {
            throw new ServerConfig.ConfigException("LOG_FORMAT", "is required");
        }
    }

    /** This configuration with metrics on or off (the metrics bench compares the two). */
    public OpsConfig withMetrics(boolean enabled, String token) {
        return new OpsConfig(enabled, token, eventsRetentionDays, auditRetentionDays, logFormat);
    }

    /** This configuration with other retention periods (tests). */
    public OpsConfig withRetention(int eventsDays, int auditDays) {
        return new OpsConfig(metricsEnabled, metricsToken, eventsDays, auditDays, logFormat);
    }

    static OpsConfig fromEnv(Map<String, String> env) {
        return new OpsConfig(bool(env, "METRICS_ENABLED", true), value(env, "METRICS_TOKEN"),
                integer(env, "EVENTS_RETENTION_DAYS", DEFAULT_EVENTS_RETENTION_DAYS),
                integer(env, "AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS), logFormat(env));
    }

    /** {@code LOG_FORMAT} alone: Main installs it before anything else is read, so the first line is in it. */
    static LogLines.Format logFormat(Map<String, String> env) {
        try {
            return LogLines.Format.parse("LOG_FORMAT", value(env, "LOG_FORMAT"));
        } catch (IllegalArgumentException e) {
            throw new ServerConfig.ConfigException("LOG_FORMAT", e.getMessage().substring("LOG_FORMAT: ".length()));
        }
    }

    private static void days(String key, int days) {
        if (days < 0 || days > MAX_RETENTION_DAYS) {
            throw new ServerConfig.ConfigException(key, "must be 0..%d days (0 keeps rows forever), got %d"
                    .formatted(MAX_RETENTION_DAYS, days));
        }
    }

    private static boolean bool(Map<String, String> env, String key, boolean dflt) {
        String v = value(env, key);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ServerConfig.ConfigException(key, "must be true or false, got '" + v + "'");
        };
    }

    private static int integer(Map<String, String> env, String key, int dflt) {
        String v = value(env, key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ServerConfig.ConfigException(key, "must be an integer, got '" + v + "'");
        }
    }

    private static String value(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
