package dev.agentcommander.agentd;

import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.config.ConfigException;
import dev.agentcommander.agentd.config.ConfigLoader;
import dev.agentcommander.schema.log.LogLines;
import dev.agentcommander.agentd.hooks.HookCommand;
import dev.agentcommander.agentd.hooks.HookSocket;
import dev.agentcommander.agentd.hooks.InstallHooks;
import dev.agentcommander.agentd.link.SocketTransport;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code agentd [run] [--config FILE]} runs the daemon; {@code agentd doctor} prints the effective config and
 * whether tmux answers. Configuration is read once, here; everything else gets values.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());
    static final String USAGE = """
            usage: agentd [run] [--config FILE]     run the daemon (default config %s)
                   agentd doctor [--config FILE]    print the effective config and check tmux
                   agentd hook [--socket PATH]      the Claude Code hook command (reads the hook JSON on stdin)
                   agentd install-hooks [--scope user|project] [--dry-run] [--uninstall]
            """.formatted(ConfigLoader.DEFAULT_FILE);

    /**
     * The argfile of the flags Chronicle Queue needs: written once in {@code agentd/src/main/jvm}, read by the
     * launcher, the systemd unit, Surefire and the benchmarks, and copied into this jar so the refusal below can
     * quote it.
     */
    static final String CHRONICLE_ARGS = "jvm/chronicle.args";

    private Main() {
    }

    public static void main(String[] args) {
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        LogFormat.install(LogLines.Format.TEXT, Level.INFO);
        System.exit(run(args, System.out, System.err));
    }

    /** Parses the command line and runs a subcommand; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        String sub = !rest.isEmpty() && !rest.get(0).startsWith("-") ? rest.remove(0) : "run";
        switch (sub) { // these two read no config: Claude Code runs the hook, people run install-hooks
            case "hook" -> {
                return HookCommand.run(rest, System.in, out, System.getenv());
            }
            case "install-hooks" -> {
                return InstallHooks.fromEnvironment().run(rest);
            }
            default -> { }
        }
        Path configFile = ConfigLoader.DEFAULT_FILE;
        boolean explicit = false;
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--config") && i + 1 < rest.size()) {
                configFile = Path.of(rest.get(++i));
                explicit = true;
            } else if (a.startsWith("--config=")) {
                configFile = Path.of(a.substring("--config=".length()));
                explicit = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                out.print(USAGE);
                return 0;
            } else {
                err.print("agentd: unknown argument " + a + "\n" + USAGE);
                return 2;
            }
        }
        if (!sub.equals("run") && !sub.equals("doctor")) {
            err.print("agentd: unknown subcommand " + sub + "\n" + USAGE);
            return 2;
        }
        Config config;
        try {
            config = new ConfigLoader(System.getenv()).load(configFile, explicit);
        } catch (ConfigException e) {
            err.println("agentd: config: " + e.getMessage());
            return 2;
        }
        if (config.log().format() != LogLines.Format.TEXT && err == System.err) {
            LogFormat.install(config.log().format(), Level.INFO);
        }
        return switch (sub) {
            case "run" -> runDaemon(config, err);
            case "doctor" -> doctor(config, out);
            default -> {
                err.print("agentd: unknown subcommand " + sub + "\n" + USAGE);
                yield 2;
            }
        };
    }

    private static int runDaemon(Config config, PrintStream err) {
        if (config.controlPlane().token().isEmpty()) {
            err.println("agentd: config: control_plane.token: required (set control_plane.token, or put the host"
                    + " token in control_plane.token_file, default " + config.controlPlane().tokenFile() + ")");
            return 2;
        }
        if (!Object.class.getModule().isOpen("java.lang", Main.class.getModule())) {
            // Chronicle Queue fails deep inside its first memory map without these; say so up front
            err.println("agentd: the JVM was started without the flags Chronicle Queue needs: start it as the "
                    + "launcher (agentd/src/main/sh/agentd, ./commander agentd) and the systemd unit do, with java "
                    + "@jvm/chronicle.args, plus @jvm/chronicle-jdk23.args on JDK 23 or newer. The flags: "
                    + argfile(CHRONICLE_ARGS));
            return 2;
        }
        String names = System.getProperty("sun.jnu.encoding", "");
        if (!names.equalsIgnoreCase("UTF-8")) { // tmux output is read as UTF-8 regardless (tmux -u)
            LOG.log(Level.WARNING, "agentd runs without a UTF-8 locale (file names and arguments are " + names
                    + "): paths outside ASCII will not reach git intact; set LANG=C.UTF-8 in its environment");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Daemon daemon;
        try {
            daemon = new Daemon(config, Path.of(System.getProperty("user.home")), System.getenv(),
                    new SocketTransport(Protocol.MAX_FRAME_BYTES),
                    Clock.systemUTC(), version());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "agentd cannot start: " + e.getMessage(), e);
            return 1;
        }
        LOG.log(Level.INFO, () -> "agentd " + version() + " running as " + config.hostName() + ", state in "
                + config.storage().stateDir() + ", control plane " + config.controlPlane().url());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("agentd: stopping"); // the log backend's own shutdown hook may have closed its handlers
            daemon.close();
            stopped.countDown();
        }, "agentd-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int doctor(Config c, PrintStream out) {
        out.println("agentd " + version());
        out.println("control_plane.url: " + c.controlPlane().url());
        out.println("control_plane.token: " + (c.controlPlane().token().isEmpty() ? "MISSING (set token or "
                + "token_file " + c.controlPlane().tokenFile() + ")" : "set (" + c.controlPlane().token().length()
                + " chars)"));
        out.println("host_name: " + c.hostName());
        out.println("tmux.bin: " + c.tmux().bin() + ", tmux.socket: "
                + (c.tmux().socket().isEmpty() ? "(default server)" : c.tmux().socket())
                + ", tmux.poll_interval_ms: " + c.tmux().pollIntervalMs());
        out.println("storage.state_dir: " + c.storage().stateDir() + (Files.isWritable(c.storage().stateDir())
                ? "" : " (not writable yet)") + ", storage.outbox_max_bytes: " + c.storage().outboxMaxBytes());
        out.println("hooks.socket: " + c.hooks().socket() + (HookSocket.serving(c.hooks().socket()) ? " (serving)"
                : " (not serving)") + ", hooks.listen: " + c.hooks().listen().map(Object::toString).orElse("off")
                + ", approvals.mode: "
                + c.approvals().mode().name().toLowerCase(java.util.Locale.ROOT) + ", approvals.timeout_seconds: "
                + c.approvals().timeoutSeconds() + ", approvals.timeout_action: "
                + c.approvals().timeoutAction().name().toLowerCase(java.util.Locale.ROOT));
        out.println("git.metadata_ttl_seconds: " + c.git().metadataTtlSeconds() + ", link.window: "
                + c.link().window());
        int code = 0;
        try {
            int n = new Tmux(c.tmux().bin(), c.tmux().socket()).listPanes().size();
            out.println("tmux: reachable, " + n + " pane(s)");
        } catch (RuntimeException e) {
            out.println("tmux: NOT reachable: " + e.getMessage());
            code = 1;
        }
        if (c.controlPlane().token().isEmpty()) {
            code = 1;
        }
        return code;
    }

    /** The flags in one of the argfiles copied into the jar, comments dropped, on one line. */
    static String argfile(String resource) {
        try (InputStream in = Main.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "(" + resource + " is missing from this build)";
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty())
                    .collect(Collectors.joining(" "));
        } catch (IOException e) {
            return "(cannot read " + resource + ": " + e.getMessage() + ")";
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }
}
