package dev.agentcommander.agentd;

import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.config.ConfigException;
import dev.agentcommander.agentd.config.ConfigLoader;
import dev.agentcommander.agentd.doctor.Check;
import dev.agentcommander.agentd.doctor.Doctor;
import dev.agentcommander.agentd.doctor.Report;
import dev.agentcommander.agentd.enroll.Enroll;
import dev.agentcommander.agentd.hooks.HookCommand;
import dev.agentcommander.agentd.hooks.InstallHooks;
import dev.agentcommander.agentd.link.LinkTls;
import dev.agentcommander.agentd.link.SocketTransport;
import dev.agentcommander.agentd.systemd.ServiceNotifier;
import dev.agentcommander.schema.Protocol;
import dev.agentcommander.schema.log.LogLines;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code agentd [run] [--config FILE]} runs the daemon; {@code agentd doctor} checks what it needs, each finding
 * with its fix. Configuration is read once, here; everything else gets values.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());
    static final String USAGE = """
            usage: agentd [run] [--config FILE]     run the daemon (default config ~/.config/%s if it exists,
                                                    else %s)
                   agentd enroll URL CODE [--host-name NAME] [--config FILE] [--force]
                                                    trade a one-time enrollment code for this host's token
                   agentd doctor [--config FILE] [--json]   check tmux, state, control plane, hooks, tools
                   agentd hook [--socket PATH]      the Claude Code hook command (reads the hook JSON on stdin)
                   agentd install-hooks [--scope user|project] [--dry-run] [--uninstall]
            """.formatted(ConfigLoader.USER_FILE, ConfigLoader.DEFAULT_FILE);

    /**
     * The argfile of the flags Chronicle Queue needs: written once in {@code agentd/src/main/jvm}, read by the
     * launcher, the systemd unit, Surefire and the benchmarks, and copied into this jar so the refusal below can
     * quote it.
     */
    static final String CHRONICLE_ARGS = "jvm/chronicle.args";

    /** For each of the doctor's network steps and programs it runs. */
    static final Duration DOCTOR_TIMEOUT = Duration.ofSeconds(5);

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
            case "enroll" -> {
                return Enroll.fromEnvironment(out, err).run(rest);
            }
            default -> { }
        }
        Path configFile = ConfigLoader.defaultFile(System.getenv(), System.getProperty("user.name"));
        boolean explicit = false;
        boolean json = false;
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--json") && sub.equals("doctor")) {
                json = true;
            } else if (a.equals("--config") && i + 1 < rest.size()) {
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
            if (sub.equals("doctor")) {
                return report(Doctor.configFailed(configFile, e.getMessage()), json, out);
            }
            err.println("agentd: config: " + e.getMessage());
            return 2;
        }
        if (config.log().format() != LogLines.Format.TEXT && err == System.err) {
            LogFormat.install(config.log().format(), Level.INFO);
        }
        if (sub.equals("doctor")) {
            List<Check> checks = new ArrayList<>();
            checks.add(Check.ok("config", (Files.exists(configFile) ? configFile.toString() : "defaults (no "
                    + configFile + ")") + "; host_name " + config.hostName() + ", control_plane.url "
                    + config.controlPlane().url() + ", storage.state_dir " + config.storage().stateDir()));
            checks.addAll(new Doctor(config, Doctor.Host.current(), transport(config), Clock.systemUTC(),
                    DOCTOR_TIMEOUT).run());
            return report(checks, json, out);
        }
        return runDaemon(config, err);
    }

    private static int report(List<Check> checks, boolean json, PrintStream out) {
        out.print(json ? Report.json(checks, version()) : Report.text(checks, version()));
        return Report.exitCode(checks);
    }

    /** The link's transport: frames up to the protocol's limit, TLS trusting the system's CAs and {@code ca_file}. */
    private static SocketTransport transport(Config config) {
        Config.ControlPlane cp = config.controlPlane();
        return new SocketTransport(Protocol.MAX_FRAME_BYTES, new LinkTls(cp.trustedCas(),
                cp.caFile() == null ? null : cp.caFile().toString()));
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
        ServiceNotifier systemd;
        try {
            systemd = ServiceNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid(),
                    Clock.systemUTC());
        } catch (RuntimeException e) {
            err.println("agentd: " + e.getMessage());
            return 2;
        }
        Daemon daemon;
        try {
            daemon = new Daemon(config, Path.of(System.getProperty("user.home")), System.getenv(),
                    transport(config),
                    Clock.systemUTC(), version());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "agentd cannot start: " + e.getMessage(), e);
            systemd.close();
            return 1;
        }
        LOG.log(Level.INFO, () -> "agentd " + version() + " running as " + config.hostName() + ", state in "
                + config.storage().stateDir() + ", control plane " + config.controlPlane().url());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("agentd: stopping"); // the log backend's own shutdown hook may have closed its handlers
            systemd.stopping();
            daemon.close();
            systemd.close();
            stopped.countDown();
        }, "agentd-shutdown"));
        // config, outbox and the first pane scan are done (the Daemon's constructor): tell systemd
        systemd.ready(daemon::status, daemon.liveness());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
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
