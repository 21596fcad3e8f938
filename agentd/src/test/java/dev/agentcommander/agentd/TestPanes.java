package dev.agentcommander.agentd;

import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionKind;
import dev.agentcommander.schema.SessionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * A private tmux server for one test (its own socket, no config) and a session directory over its panes:
 * session id {@code s-%N} for pane {@code %N}.
 */
final class TestPanes implements SessionDirectory, AutoCloseable {
    final Path dir;
    final Tmux tmux;
    private final Map<String, Session> byId = new ConcurrentHashMap<>();

    /**
     * A new directory under java.io.tmpdir, which is created first if missing (the build points it at
     * target/test-tmp, which nothing else creates; JUnit's @TempDir fails there).
     */
    static Path freshDir(String prefix) throws IOException {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, prefix);
    }

    TestPanes(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.tmux = new Tmux("tmux", dir.resolve("sock").toString());
        tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "120", "-y", "40",
                "env", "PS1=$ ", "bash", "--norc", "--noprofile");
    }

    /** The first pane of the first session. */
    String firstPane() {
        return tmux.run("list-panes", "-t", "main", "-F", "#{pane_id}").lines().findFirst().orElseThrow();
    }

    /** A new window in session {@code main} running {@code argv}; returns its pane id. */
    String newWindow(String... argv) {
        String[] args = new String[argv.length + 6];
        args[0] = "new-window";
        args[1] = "-d";
        args[2] = "-P";
        args[3] = "-F";
        args[4] = "#{pane_id}";
        args[5] = "-t" + "main:";
        System.arraycopy(argv, 0, args, 6, argv.length);
        return tmux.run(args).trim();
    }

    /** Registers pane {@code paneId} as a session; returns its session id. */
    String register(String paneId, Provider provider) {
        String id = "s-" + paneId.substring(1);
        byId.put(id, new Session(id, null, SessionKind.PANE, provider, SessionStatus.IDLE, false, id,
                new Session.Tmux("main", "0", paneId), dir.toString(), null, null, Instant.now(), Instant.now()));
        return id;
    }

    @Override
    public Optional<Session> bySessionId(String sessionId) {
        return Optional.ofNullable(byId.get(sessionId));
    }

    @Override
    public Optional<Session> byPaneId(String paneId) {
        return byId.values().stream().filter(s -> s.tmux().paneId().equals(paneId)).findFirst();
    }

    @Override
    public void poke() {
    }

    /** Number of control-mode clients attached to this server. */
    int controlClients() {
        return (int) tmux.run("list-clients", "-F", "#{client_control_mode}").lines()
                .filter("1"::equals).count();
    }

    static boolean eventually(BooleanSupplier cond, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return cond.getAsBoolean();
    }

    /** Kills the tmux server and deletes the directory. */
    @Override
    public void close() {
        try {
            tmux.run("kill-server");
        } catch (RuntimeException ignored) {
            // already gone
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is under target/
        }
    }
}
