package dev.agentcommander.controlplane;

import dev.agentcommander.controlplane.auth.LoginLinks;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.StartupException;
import dev.agentcommander.schema.log.LogLines;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.LogManager;

/**
 * Command line: {@code serve} (default) runs the server, {@code token [--role R] [--ttl-seconds N]} prints a JWT
 * signed with this instance's secret, {@code --help} prints {@link #USAGE}. Configuration comes from the
 * environment only (see {@link ServerConfig}).
 */
public final class Main {
    /** What {@code token} mints without {@code --role}: what a person signing in gets by default. */
    static final Role DEFAULT_TOKEN_ROLE = Role.OPERATOR;
    static final long DEFAULT_TTL_SECONDS = 3600;
    static final String USAGE = """
            usage: control-plane [serve] [--bootstrap-host NAME --bootstrap-token-file FILE]
                   control-plane token [--role admin|operator|viewer] [--ttl-seconds N]
                   control-plane login-link [--role admin|operator|viewer]
                   control-plane --help

              serve   run the server (the default). Configured by the environment: DATABASE_URL, JWT_SECRET,
                      HOST, PORT, PUBLIC_URL, DATA_DIR, EMBEDDED_DB_PORT, EMBEDDED_DB_GIVE_UP_SECONDS,
                      GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, GITHUB_BASE_URL, GITHUB_API_URL, ADMIN_EMAILS,
                      ALLOWED_EMAILS, ALLOWED_ORGS, DEFAULT_ROLE,
                      NOTIFY_WEBHOOK_URL, NOTIFY_WEBHOOK_SECRET, NOTIFY_NTFY_URL, NOTIFY_NTFY_TOKEN,
                      NOTIFY_SLACK_WEBHOOK_URL, NOTIFY_DELAY_SECONDS, NOTIFY_WAITING_SECONDS,
                      TLS_CERT_FILE, TLS_KEY_FILE,
                      METRICS_ENABLED, METRICS_TOKEN, EVENTS_RETENTION_DAYS, AUDIT_RETENTION_DAYS, LOG_FORMAT,
                      FANOUT (see the README)
              token   print a control-plane JWT signed with this instance's secret, for scripts
                      (Authorization: Bearer ...); --role defaults to %s, --ttl-seconds to %d (at most %d)
              login-link  print a one-time browser sign-in link (valid %d minutes, single use) as the local
                      user: local (admin, the default), local-operator or local-viewer
            """.formatted(DEFAULT_TOKEN_ROLE.wire(), DEFAULT_TTL_SECONDS, Tokens.MAX_LIFETIME.toSeconds(),
            LoginLinks.LIFETIME.toMinutes());

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        try {
            loggingDefaults(OpsConfig.logFormat(System.getenv()));
            System.exit(run(Arrays.asList(args), System.getenv(), System.out));
        } catch (ServerConfig.ConfigException | UsageException e) {
            System.err.println("control-plane: " + e.getMessage());
            System.exit(2);
        } catch (StartupException e) {
            System.err.println("control-plane: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out) throws InterruptedException {
        if (args.contains("--help") || args.contains("-h") || (!args.isEmpty() && args.get(0).equals("help"))) {
            out.print(USAGE);
            out.flush();
            return 0;
        }
        String cmd = args.isEmpty() || args.get(0).startsWith("--") ? "serve" : args.get(0);
        List<String> rest = args.isEmpty() || args.get(0).startsWith("--") ? args : args.subList(1, args.size());
        ServerConfig config = ServerConfig.fromEnv(env);
        return switch (cmd) {
            case "serve" -> serve(config, rest, out);
            case "token" -> token(config, rest, out);
            case "login-link" -> loginLink(config, rest, out);
            default -> throw new UsageException("unknown command " + cmd + " (serve | token | login-link | --help)");
        };
    }

    private static int serve(ServerConfig config, List<String> args, PrintStream out) throws InterruptedException {
        String host = null;
        String file = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--bootstrap-host" -> host = value(args, ++i, "--bootstrap-host");
                case "--bootstrap-token-file" -> file = value(args, ++i, "--bootstrap-token-file");
                default -> throw new UsageException("unknown option " + args.get(i));
            }
        }
        if ((host == null) != (file == null)) {
            throw new UsageException("--bootstrap-host and --bootstrap-token-file go together");
        }
        ControlPlane.Bootstrap b = host == null ? null : new ControlPlane.Bootstrap(host, Path.of(file));
        ControlPlane cp = new ControlPlane(config, Clock.systemUTC());
        CompletableFuture<String> stopped = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cp.close();
            stopped.complete(null);
        }, "control-plane-shutdown"));
        cp.start(b, out);
        String failure = (String) CompletableFuture.anyOf(stopped, cp.failed()).join();
        if (failure != null) {
            cp.close(); // first, so the server's own shutdown lines come before the reason, not after it
            System.err.println("control-plane: " + failure);
            return 1;
        }
        return 0;
    }

    private static int token(ServerConfig config, List<String> args, PrintStream out) {
        Role role = DEFAULT_TOKEN_ROLE;
        long ttl = DEFAULT_TTL_SECONDS;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--role" -> {
                    String r = value(args, ++i, "--role");
                    role = Role.fromWire(r);
                    if (role == null) {
                        throw new UsageException("--role must be admin, operator or viewer, got " + r);
                    }
                }
                case "--ttl-seconds" -> {
                    String v = value(args, ++i, "--ttl-seconds");
                    try {
                        ttl = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--ttl-seconds must be an integer, got " + v);
                    }
                    if (ttl < 1 || ttl > Tokens.MAX_LIFETIME.toSeconds()) {
                        throw new UsageException("--ttl-seconds must be 1.." + Tokens.MAX_LIFETIME.toSeconds()
                                + " (a token lives at most " + Tokens.MAX_LIFETIME.toDays() + " days)");
                    }
                }
                default -> throw new UsageException("unknown option " + args.get(i));
            }
        }
        Tokens tokens = new Tokens(ControlPlane.signingKey(config), Clock.systemUTC());
        out.println(tokens.issue("cli:" + System.getProperty("user.name", "unknown"), role, Duration.ofSeconds(ttl)));
        return 0;
    }

    private static int loginLink(ServerConfig config, List<String> args, PrintStream out) {
        Role role = Role.ADMIN;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--role")) {
                String r = value(args, ++i, "--role");
                role = Role.fromWire(r);
                if (role == null) {
                    throw new UsageException("--role must be admin, operator or viewer, got " + r);
                }
            } else {
                throw new UsageException("unknown option " + args.get(i));
            }
        }
        LoginLinks links = new LoginLinks(ControlPlane.signingKey(config), Clock.systemUTC());
        out.println(ControlPlane.siteUrl(config) + "/auth/link?code=" + links.mint(role));
        return 0;
    }

    /**
     * Applies {@code logging-defaults.properties} on top of the JDK's and writes one line per record in
     * {@code format} ({@code LOG_FORMAT}), unless logging was configured (java.util.logging.config.file or .class:
     * then that configuration decides everything).
     */
    static void loggingDefaults(LogLines.Format format) {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("logging-defaults.properties")) {
            if (in != null) {
                LogManager.getLogManager().updateConfiguration(in, key -> (old, neu) -> neu == null ? old : neu);
            }
        } catch (IOException e) {
            System.err.println("control-plane: logging defaults not applied: " + e.getMessage());
        }
        LogLines.install(format, Level.INFO);
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new UsageException(flag + " needs a value");
        }
        return args.get(i);
    }

    /** A command-line mistake; printed without a stack trace. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
