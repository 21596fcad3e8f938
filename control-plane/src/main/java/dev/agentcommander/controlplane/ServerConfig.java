package dev.agentcommander.controlplane;

import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.SignInPolicy;
import dev.agentcommander.controlplane.auth.WebOrigin;
import dev.agentcommander.controlplane.fanout.FanOutKind;
import dev.agentcommander.controlplane.notify.NotifyConfig;
import java.net.URI;
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
 * {@code signIn} holds who may sign in with GitHub ({@code GITHUB_CLIENT_ID}, {@code GITHUB_CLIENT_SECRET},
 * {@code GITHUB_BASE_URL}, {@code GITHUB_API_URL}, {@code ADMIN_EMAILS}, {@code ALLOWED_EMAILS},
 * {@code ALLOWED_ORGS}, {@code DEFAULT_ROLE}); GitHub sign-in needs PUBLIC_URL (its callback) unless the server
 * listens on loopback. {@code NOTIFY_*} configure notifications ({@link NotifyConfig}; an unknown
 * {@code NOTIFY_} variable is an error). {@code tls} (TLS_CERT_FILE, TLS_KEY_FILE; {@link ServerTls}) is null for
 * plain HTTP. {@code ops} holds metrics, retention and the log format ({@link OpsConfig}). {@code FANOUT}
 * ({@code postgres} or {@code in-process}; default postgres with DATABASE_URL, else in-process) says how changes
 * reach dashboards and hosts on other replicas.
 */
public record ServerConfig(String databaseUrl, String jwtSecret, String host, int port, String publicUrl,
                           Path dataDir, int embeddedDbPort, Duration embeddedDbGiveUp, SignInPolicy signIn,
                           NotifyConfig notifications, ServerTls tls, OpsConfig ops, FanOutKind fanOut) {
    public static final int DEFAULT_EMBEDDED_DB_GIVE_UP_SECONDS = 60;

    public ServerConfig {
        if (ops == null) {
            throw new ConfigException("METRICS_ENABLED", "operations settings missing (use OpsConfig.DEFAULTS)");
        }
        if (fanOut == null) {
            fanOut = databaseUrl != null ? FanOutKind.POSTGRES : FanOutKind.IN_PROCESS;
        }
        if (fanOut == FanOutKind.POSTGRES && databaseUrl == null) {
            throw new ConfigException("FANOUT", "postgres needs DATABASE_URL (the embedded Postgres serves one "
                    + "replica; several replicas share a Postgres of their own)");
        }
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
        if (publicUrl != null && !validUrl(publicUrl, false)) {
            throw new ConfigException("PUBLIC_URL", "must be an http(s) URL with a host and no path or query, got "
                    + publicUrl);
        }
        if (tls != null && publicUrl != null && publicUrl.startsWith("http://")) {
            throw new ConfigException("PUBLIC_URL", "is http:// but TLS_CERT_FILE is set, so the server speaks "
                    + "only HTTPS: use https://");
        }
        if (signIn == null) {
            throw new ConfigException("GITHUB_CLIENT_ID", "sign-in settings are required");
        }
        if (signIn.github() && publicUrl == null && !WebOrigin.isLoopback(host)) {
            throw new ConfigException("PUBLIC_URL", "is required with GITHUB_CLIENT_ID (the OAuth callback is "
                    + "PUBLIC_URL/auth/github/callback) unless HOST is a loopback address");
        }
    }

    /** This configuration with {@code kind} as its fan-out. */
    public ServerConfig withFanOut(FanOutKind kind) {
        return new ServerConfig(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort,
                embeddedDbGiveUp, signIn, notifications, tls, ops, kind);
    }

    /** The configuration without GitHub sign-in (only the local link signs people in) and without notifications. */
    public ServerConfig(String databaseUrl, String jwtSecret, String host, int port, String publicUrl, Path dataDir,
                        int embeddedDbPort, Duration embeddedDbGiveUp) {
        this(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort, embeddedDbGiveUp,
                SignInPolicy.localOnly());
    }

    /** The configuration with {@code signIn} and without notifications. */
    public ServerConfig(String databaseUrl, String jwtSecret, String host, int port, String publicUrl, Path dataDir,
                        int embeddedDbPort, Duration embeddedDbGiveUp, SignInPolicy signIn) {
        this(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort, embeddedDbGiveUp, signIn,
                NotifyConfig.NONE);
    }

    /**
     * The configuration with {@code notifications}, plain HTTP, the default operations settings and the fan-out
     * its database implies ({@code FANOUT} unset).
     */
    public ServerConfig(String databaseUrl, String jwtSecret, String host, int port, String publicUrl, Path dataDir,
                        int embeddedDbPort, Duration embeddedDbGiveUp, SignInPolicy signIn,
                        NotifyConfig notifications) {
        this(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort, embeddedDbGiveUp, signIn,
                notifications, null, OpsConfig.DEFAULTS, null);
    }

    /** This configuration with {@code policy} as who may sign in (tests of sign-in). */
    public ServerConfig withSignIn(String newPublicUrl, SignInPolicy policy) {
        return new ServerConfig(databaseUrl, jwtSecret, host, port, newPublicUrl, dataDir, embeddedDbPort,
                embeddedDbGiveUp, policy, notifications, tls, ops, fanOut);
    }

    /** This configuration with {@code n} as its notification settings. */
    public ServerConfig withNotify(NotifyConfig n) {
        return new ServerConfig(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort,
                embeddedDbGiveUp, signIn, n, tls, ops, fanOut);
    }

    /** This configuration serving HTTPS with {@code t} (null: plain HTTP). */
    public ServerConfig withTls(ServerTls t) {
        return new ServerConfig(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort,
                embeddedDbGiveUp, signIn, notifications, t, ops, fanOut);
    }

    /** {@code https} when this server speaks TLS itself, else {@code http}. */
    public String scheme() {
        return tls == null ? "http" : "https";
    }

    /** This configuration with {@code o} as its operations settings (metrics, retention, log format). */
    public ServerConfig withOps(OpsConfig o) {
        return new ServerConfig(databaseUrl, jwtSecret, host, port, publicUrl, dataDir, embeddedDbPort,
                embeddedDbGiveUp, signIn, notifications, tls, o, fanOut);
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
                intValue(env, "EMBEDDED_DB_GIVE_UP_SECONDS", DEFAULT_EMBEDDED_DB_GIVE_UP_SECONDS)), signIn(env),
                notifyConfig(env), ServerTls.fromEnv(env), OpsConfig.fromEnv(env), fanOutKind(env));
    }

    private static FanOutKind fanOutKind(Map<String, String> env) {
        String v = value(env, "FANOUT");
        if (v == null) {
            return null;
        }
        FanOutKind k = FanOutKind.fromWire(v);
        if (k == null) {
            throw new ConfigException("FANOUT", "must be postgres or in-process, got '" + v + "'");
        }
        return k;
    }

    private static NotifyConfig notifyConfig(Map<String, String> env) {
        try {
            return NotifyConfig.fromEnv(env);
        } catch (NotifyConfig.Invalid e) {
            throw new ConfigException(e.key(), e.problem());
        }
    }

    /** GITHUB_*, ADMIN_EMAILS, ALLOWED_EMAILS, ALLOWED_ORGS and DEFAULT_ROLE, each checked by name. */
    static SignInPolicy signIn(Map<String, String> env) {
        String id = value(env, "GITHUB_CLIENT_ID");
        String secret = value(env, "GITHUB_CLIENT_SECRET");
        if ((id == null) != (secret == null)) {
            throw new ConfigException(id == null ? "GITHUB_CLIENT_ID" : "GITHUB_CLIENT_SECRET",
                    "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together");
        }
        if (id != null && !id.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new ConfigException("GITHUB_CLIENT_ID", "must be the OAuth App's client id (letters, digits, . _ -)");
        }
        URI base = url(env, "GITHUB_BASE_URL", SignInPolicy.GITHUB_COM);
        URI api = url(env, "GITHUB_API_URL", SignInPolicy.GITHUB_COM_API);
        String roleText = value(env, "DEFAULT_ROLE");
        Role role = roleText == null ? Role.OPERATOR : Role.fromWire(roleText);
        if (role == null || role == Role.ADMIN) {
            throw new ConfigException("DEFAULT_ROLE", "must be operator or viewer, got '" + roleText + "'");
        }
        try {
            SignInPolicy p = new SignInPolicy(id, secret, base, api,
                    SignInPolicy.emails("ADMIN_EMAILS", value(env, "ADMIN_EMAILS")),
                    SignInPolicy.emails("ALLOWED_EMAILS", value(env, "ALLOWED_EMAILS")),
                    SignInPolicy.orgs("ALLOWED_ORGS", value(env, "ALLOWED_ORGS")), role);
            if (p.github() && p.adminEmails().isEmpty() && p.allowedEmails().isEmpty() && !p.checksOrgs()) {
                throw new ConfigException("ADMIN_EMAILS", "GitHub sign-in is configured but nobody may sign in: "
                        + "set ADMIN_EMAILS (and ALLOWED_EMAILS or ALLOWED_ORGS for everyone else)");
            }
            return p;
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf(':');
            throw new ConfigException(m.substring(0, colon), m.substring(colon + 1).strip());
        }
    }

    private static URI url(Map<String, String> env, String key, URI dflt) {
        String v = value(env, key);
        if (v == null) {
            return dflt;
        }
        if (!validUrl(v, true)) {
            throw new ConfigException(key, "must be an http(s) URL with a host and no query, got " + v);
        }
        return URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
    }

    private static boolean validUrl(String v, boolean pathAllowed) {
        try {
            URI u = new URI(v);
            return (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                    && u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null
                    && (pathAllowed || u.getRawPath() == null || u.getRawPath().isEmpty()
                    || u.getRawPath().equals("/")));
        } catch (java.net.URISyntaxException e) {
            return false;
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
