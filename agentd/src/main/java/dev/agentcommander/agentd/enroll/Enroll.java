package dev.agentcommander.agentd.enroll;

import dev.agentcommander.agentd.config.ConfigLoader;
import dev.agentcommander.schema.Enrollment;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code agentd enroll URL CODE}: trades a one-time enrollment code for this host's token and writes exactly what
 * {@code agentd run} reads: the token file (0600) and a config naming the control plane, the token file and the
 * host name ({@link EnrollFiles}). Everything that can be checked locally is checked before the code is sent, so
 * a refusal here (an existing token, an unwritable directory, a bad argument) never spends a code; a refusal by
 * the control plane writes nothing.
 */
public final class Enroll {
    static final String USAGE = "usage: agentd enroll URL CODE [--host-name NAME] [--config FILE] [--force]"
            + " [--owner USER]\n"
            + "  URL   the control plane (https://commander.example.com), CODE a one-time code from its Hosts page\n"
            + "  --config FILE  where to write the config (default: ~/.config/" + ConfigLoader.USER_FILE
            + ", as root " + ConfigLoader.DEFAULT_FILE + "); the token goes beside it\n"
            + "  --force        replace an existing token and config (the old host stays until removed)\n"
            + "  --owner USER   (as root) give the token file to USER, who runs agentd@USER\n";

    private final Map<String, String> env;
    private final String user;
    private final Path distDir;
    private final EnrollClient client;
    private final PrintStream out;
    private final PrintStream err;

    /** What a command line asked for. */
    record Request(String baseUrl, String code, String hostName, boolean hostNameGiven, Path config,
                   boolean force, String owner) {
    }

    Enroll(Map<String, String> env, String user, Path distDir, EnrollClient client, PrintStream out,
           PrintStream err) {
        this.env = env;
        this.user = user;
        this.distDir = distDir;
        this.client = client;
        this.out = out;
        this.err = err;
    }

    /** The real environment, user and HTTP client; {@code distDir} is where this jar is. */
    public static Enroll fromEnvironment(PrintStream out, PrintStream err) {
        return new Enroll(System.getenv(), System.getProperty("user.name"), EnrollFiles.distDir(),
                new EnrollClient(), out, err);
    }

    /** Runs the command; 0 enrolled, 1 refused or failed (nothing written), 2 a usage error. */
    public int run(List<String> args) {
        Request r;
        try {
            r = parse(args);
        } catch (IllegalArgumentException e) {
            err.print("agentd enroll: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (r == null) {
            out.print(USAGE);
            return 0;
        }
        EnrollFiles files = new EnrollFiles(r.config());
        try {
            files.checkWritable(r.force(), r.owner() != null || r.config().equals(ConfigLoader.DEFAULT_FILE));
        } catch (EnrollFiles.Refused e) {
            err.println("agentd enroll: " + e.getMessage());
            return 1;
        }
        EnrollClient.Enrolled e;
        try {
            e = client.enroll(r.baseUrl(), r.code(), r.hostName());
        } catch (EnrollClient.Failed f) {
            err.println("agentd enroll: " + f.getMessage() + " (nothing written)");
            return 1;
        }
        try {
            files.write(e.token(), Enrollment.agentUrl(r.baseUrl()), e.hostName(), r.owner());
        } catch (IOException | RuntimeException x) {
            err.println("agentd enroll: host " + e.hostName() + " was enrolled, but writing " + files.tokenFile()
                    + " failed: " + x.getMessage() + ". Remove the host on the Hosts page and enroll again.");
            return 1;
        }
        out.println("agentd: enrolled this machine as host " + e.hostName() + " (" + e.hostId() + ") of "
                + r.baseUrl());
        if (r.hostNameGiven() && !e.hostName().equals(r.hostName())) {
            out.println("agentd: (the code named the host " + e.hostName() + "; --host-name " + r.hostName()
                    + " was not used)");
        }
        out.println("agentd: wrote " + files.tokenFile() + " (0600) and " + files.configFile());
        nextSteps(r, files);
        return 0;
    }

    private void nextSteps(Request r, EnrollFiles files) {
        String who = r.owner() != null ? r.owner() : user;
        Path launcher = distDir == null ? null : distDir.resolve("agentd");
        boolean unitReadsIt = files.configFile().equals(ConfigLoader.DEFAULT_FILE);
        if (unitReadsIt) {
            out.println("agentd: next: sudo systemctl enable --now agentd@" + who);
        } else {
            String run = launcher != null && Files.isExecutable(launcher) ? launcher + " run" : "agentd run";
            out.println("agentd: next: " + run + "   (in the foreground, e.g. in a tmux window; it reads "
                    + files.configFile() + ")");
            out.println("agentd: as a systemd service instead (sudo systemctl enable --now agentd@" + who
                    + "): run the install line with sudo (README, \"Add a dev box\")");
        }
    }

    Request parse(List<String> args) {
        List<String> positional = new ArrayList<>();
        String hostName = null;
        Path config = null;
        boolean force = false;
        String owner = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--force" -> force = true;
                case "--host-name" -> hostName = value(args, ++i, a);
                case "--config" -> config = Path.of(value(args, ++i, a));
                case "--owner" -> owner = value(args, ++i, a);
                default -> {
                    if (a.startsWith("--host-name=")) {
                        hostName = a.substring("--host-name=".length());
                    } else if (a.startsWith("--config=")) {
                        config = Path.of(a.substring("--config=".length()));
                    } else if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    } else {
                        positional.add(a);
                    }
                }
            }
        }
        if (positional.size() != 2) {
            throw new IllegalArgumentException("needs the control plane's URL and an enrollment code");
        }
        String base = baseUrl(positional.get(0));
        String code = positional.get(1).strip();
        if (!Enrollment.CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("CODE is not an enrollment code (" + Enrollment.CODE_PREFIX
                    + " and 43 letters, digits, '-' or '_'; copy it again from the Hosts page)");
        }
        boolean given = hostName != null;
        if (!given) {
            hostName = ConfigLoader.localHostName(env);
        }
        if (!Enrollment.HOST_NAME.matcher(hostName).matches()) {
            throw new IllegalArgumentException((given ? "--host-name " : "this machine's host name ") + hostName
                    + " is not a host name here (1-64 letters, digits, '.', '_' or '-'" + (given ? ")"
                    : "); give one with --host-name"));
        }
        if (owner != null && !owner.matches("[a-z_][a-z0-9_.-]{0,31}\\$?")) {
            throw new IllegalArgumentException("--owner " + owner + " is not a user name");
        }
        if (config == null) {
            config = "root".equals(user) ? ConfigLoader.DEFAULT_FILE : ConfigLoader.userFile(env);
        }
        return new Request(base, code, hostName, given, config.toAbsolutePath().normalize(), force, owner);
    }

    /** {@code http(s)://host[:port][/path]} without a trailing slash, query or credentials. */
    static String baseUrl(String text) {
        try {
            URI u = new URI(text.strip());
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                    || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
                throw new IllegalArgumentException("URL must be the control plane's http:// or https:// address"
                        + " (got " + text + ")");
            }
            String s = u.toString();
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            return s;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("URL is not a URL: " + e.getMessage());
        }
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args.get(i);
    }
}
