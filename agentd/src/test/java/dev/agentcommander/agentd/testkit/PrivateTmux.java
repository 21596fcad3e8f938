package dev.agentcommander.agentd.testkit;

import dev.agentcommander.agentd.tmux.Tmux;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private tmux server for one test: {@code tmux -S <dir>/sock -f /dev/null}, so a test never sees or touches the
 * developer's own tmux server and each test starts from one session, {@code main}. Closing kills the server.
 *
 * <p>The same kit serves agentd's tests and the end-to-end tests: {@link #with} starts a server whose tmux calls
 * (this class's, not {@link #tmux()}'s) run with an environment of the test's choosing, which is what tmux gives
 * the panes it starts.
 */
public final class PrivateTmux implements AutoCloseable {
    public static final String SESSION = "main";
    private static final long TIMEOUT_SECONDS = 10;

    private final Path dir;
    private final Tmux tmux;
    /** null: tmux calls go through agentd's {@link Tmux} with the test JVM's environment. */
    private final Map<String, String> env;
    private final boolean onlyEnv;
    private final boolean awaitExit;
    /** The server's pid when it started (tmux's {@code #{pid}}), for {@link #close()}. */
    private volatile long serverPid = -1;

    private PrivateTmux(Path dir, Map<String, String> env, boolean onlyEnv, boolean awaitExit) {
        this.dir = dir;
        this.tmux = new Tmux("tmux", dir.resolve("sock").toString());
        this.env = env;
        this.onlyEnv = onlyEnv;
        this.awaitExit = awaitExit;
    }

    /** A server whose session {@code main} (200x50) runs tmux's default command. */
    public static PrivateTmux start(Path dir) {
        return start(dir, 200, 50);
    }

    /** A server whose session {@code main} has the given size and runs {@code argv} (tmux's default if empty). */
    public static PrivateTmux start(Path dir, int cols, int rows, String... argv) {
        return with(dir).size(cols, rows).start(argv);
    }

    /** A server started the way the options say. */
    public static Options with(Path dir) {
        return new Options(dir);
    }

    /** How the server starts: size, environment, working directory, whether dead panes stay. */
    public static final class Options {
        private final Path dir;
        private int cols = 200;
        private int rows = 50;
        private Map<String, String> env;
        private boolean onlyEnv;
        private Path cwd;
        private boolean remainOnExit;
        private boolean awaitExit;

        private Options(Path dir) {
            this.dir = dir;
        }

        public Options size(int cols, int rows) {
            this.cols = cols;
            this.rows = rows;
            return this;
        }

        /**
         * {@code env} on top of the test JVM's environment, for the server and every call of this kit (tmux gives
         * a new pane the environment of the client that asks for it) and in session {@code main}'s environment.
         */
        public Options env(Map<String, String> env) {
            this.env = new LinkedHashMap<>(env);
            this.onlyEnv = false;
            return this;
        }

        /** Exactly {@code env} and nothing of the developer's: the panes see it and tmux's own TMUX, TMUX_PANE. */
        public Options onlyEnv(Map<String, String> env) {
            this.env = new LinkedHashMap<>(env);
            this.onlyEnv = true;
            return this;
        }

        /** The working directory of session {@code main}'s first pane. */
        public Options cwd(Path cwd) {
            this.cwd = cwd;
            return this;
        }

        /** Panes stay after their program exits (so a crash can still be read: {@link #paneDead}). */
        public Options remainOnExit() {
            this.remainOnExit = true;
            return this;
        }

        /**
         * {@link #close()} also waits (up to 5 s, then SIGKILL) for the panes' programs and their children to exit,
         * so a program that goes on writing for a moment (a real agent CLI) does not write into the test's directory
         * while it is deleted. Off by default: a login shell may take a second or more to go.
         */
        public Options awaitExitOnClose() {
            this.awaitExit = true;
            return this;
        }

        /** Starts the server; session {@code main} runs {@code argv} (tmux's default command if empty). */
        public PrivateTmux start(String... argv) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            PrivateTmux t = new PrivateTmux(dir, env, onlyEnv, awaitExit);
            List<String> args = new ArrayList<>(List.of("-f", "/dev/null", "new-session", "-d", "-s", SESSION, "-x",
                    Integer.toString(cols), "-y", Integer.toString(rows)));
            if (cwd != null) {
                args.addAll(List.of("-c", cwd.toString()));
            }
            if (env != null && !onlyEnv) {
                env.forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
            }
            args.addAll(List.of(argv));
            if (remainOnExit) {
                args.addAll(List.of(";", "set-option", "-g", "remain-on-exit", "on"));
            }
            t.run(args.toArray(String[]::new));
            t.serverPid = t.currentServerPid();
            return t;
        }
    }

    /** agentd's tmux client for this server (what the code under test gets); runs with the JVM's environment. */
    public Tmux tmux() {
        return tmux;
    }

    public Path dir() {
        return dir;
    }

    public String socket() {
        return tmux.socket();
    }

    /**
     * Runs a tmux command on this server with the kit's environment and returns its output; throws (unchecked, so it
     * can sit inside an {@link Await} probe) when tmux fails.
     */
    public String run(String... args) {
        if (env == null) {
            return tmux.run(args);
        }
        ProcessBuilder pb = new ProcessBuilder(tmux.argv(args)).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null")));
        if (onlyEnv) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            // stderr is small; read it after stdout, once tmux has exited or the timeout hit
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("tmux " + String.join(" ", args) + " failed: " + err.strip());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: tmux " + args[0], e);
        }
    }

    /** The first pane of session {@code main}. */
    public String firstPane() {
        return run("list-panes", "-t", SESSION, "-F", "#{pane_id}").lines().findFirst().orElseThrow();
    }

    /** A new window in session {@code main} running {@code argv} (no shell unless asked for); its pane id. */
    public String window(String... argv) {
        return newWindow(null, argv);
    }

    /** A new window in session {@code main} running {@code argv} in {@code cwd}; its pane id. */
    public String window(Path cwd, String... argv) {
        return newWindow(cwd, argv);
    }

    private String newWindow(Path cwd, String... argv) {
        List<String> args = new ArrayList<>(List.of("new-window", "-d", "-P", "-F", "#{pane_id}", "-t", SESSION + ":"));
        if (cwd != null) {
            args.addAll(List.of("-c", cwd.toString()));
        }
        args.addAll(List.of(argv));
        return run(args.toArray(String[]::new)).strip();
    }

    /** What the pane shows ({@code capture-pane -p}): no colours, trailing spaces as tmux gives them. */
    public String screen(String pane) {
        return run("capture-pane", "-p", "-t", pane);
    }

    /** What the pane shows with wrapped lines joined ({@code capture-pane -p -J}), for text that may wrap. */
    public String joinedScreen(String pane) {
        return run("capture-pane", "-p", "-J", "-t", pane);
    }

    /** Types {@code text} into the pane literally (no key names). */
    public void type(String pane, String text) {
        run("send-keys", "-t", pane, "-l", text);
    }

    /** Sends tmux key names (Enter, Escape, Down, BTab, C-c …) to the pane. */
    public void keys(String pane, String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", pane));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    /** Whether the pane's program has exited (panes stay only with {@link Options#remainOnExit}). */
    public boolean paneDead(String pane) {
        return "1".equals(run("display-message", "-p", "-t", pane, "#{pane_dead}").strip());
    }

    /**
     * Control-mode clients attached to this server that receive pane output (the console's); the scanner's listing
     * client ({@code no-output}) does not count.
     */
    public int controlClients() {
        return (int) run("list-clients", "-F", "#{client_control_mode} #{client_flags}").lines()
                .filter(l -> l.startsWith("1 ") && !l.contains("no-output")).count();
    }

    /** Control-mode clients attached with {@code no-output} (the scanner's pane listing). */
    public int listingClients() {
        return (int) run("list-clients", "-F", "#{client_control_mode} #{client_flags}").lines()
                .filter(l -> l.startsWith("1 ") && l.contains("no-output")).count();
    }

    /** Writes an executable {@code #!/bin/sh} script {@code name} into {@code dir}. */
    public static Path script(Path dir, String name, String body) {
        try {
            Files.createDirectories(dir);
            Path p = dir.resolve(name);
            Files.writeString(p, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills the server (by its pid when {@code kill-server} leaves it running: within 5 s, then SIGKILL); with
     * {@link Options#awaitExitOnClose()} also waits for the panes' programs to exit.
     */
    @Override
    public void close() {
        List<ProcessHandle> procs = awaitExit ? paneProcesses() : List.of();
        long pid = currentServerPid();
        try {
            run("kill-server");
        } catch (RuntimeException ignored) {
            // already gone
        }
        if (pid > 0) {
            endStraggler(pid);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle p : procs) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /**
     * A server that outlives {@code kill-server} (one CI run left one behind, its socket deleted with the test's
     * directory, so nothing could reach it again) gets a second to exit, then SIGKILL; only while it is still a
     * running tmux (an exited one may stay a zombie until init reaps it: that is gone enough).
     */
    private static void endStraggler(long pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (runningTmux(pid)) {
            if (System.nanoTime() > deadline) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean runningTmux(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return stat.substring(stat.indexOf('(') + 1, close).equals("tmux") && stat.charAt(close + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // gone
        }
    }

    /** The server's pid now (it may have been restarted), else the one it started with; -1 when unknown. */
    private long currentServerPid() {
        try {
            return Long.parseLong(run("display-message", "-p", "#{pid}").strip());
        } catch (RuntimeException e) {
            return serverPid;
        }
    }

    /** Every pane's program and its children, now. */
    private List<ProcessHandle> paneProcesses() {
        List<ProcessHandle> procs = new ArrayList<>();
        try {
            for (String pid : run("list-panes", "-a", "-F", "#{pane_pid}").split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                        procs.add(p);
                        p.descendants().forEach(procs::add);
                    });
                }
            }
        } catch (RuntimeException ignored) {
            // no server, or no panes: nothing to wait for
        }
        return procs;
    }
}
