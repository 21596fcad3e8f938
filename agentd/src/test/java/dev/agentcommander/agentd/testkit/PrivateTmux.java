package dev.agentcommander.agentd.testkit;

import dev.agentcommander.agentd.tmux.Tmux;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A private tmux server for one test: {@code tmux -S <dir>/sock -f /dev/null}, so a test never sees or touches the
 * developer's own tmux server and each test starts from one session, {@code main}. Closing kills the server.
 */
public final class PrivateTmux implements AutoCloseable {
    public static final String SESSION = "main";

    private final Path dir;
    private final Tmux tmux;

    private PrivateTmux(Path dir) {
        this.dir = dir;
        this.tmux = new Tmux("tmux", dir.resolve("sock").toString());
    }

    /** A server whose session {@code main} (200x50) runs tmux's default command. */
    public static PrivateTmux start(Path dir) {
        return start(dir, 200, 50);
    }

    /** A server whose session {@code main} has the given size and runs {@code argv} (tmux's default if empty). */
    public static PrivateTmux start(Path dir, int cols, int rows, String... argv) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivateTmux t = new PrivateTmux(dir);
        List<String> args = new ArrayList<>(List.of("-f", "/dev/null", "new-session", "-d", "-s", SESSION, "-x",
                Integer.toString(cols), "-y", Integer.toString(rows)));
        args.addAll(List.of(argv));
        t.tmux.run(args.toArray(String[]::new));
        return t;
    }

    public Tmux tmux() {
        return tmux;
    }

    public Path dir() {
        return dir;
    }

    public String socket() {
        return tmux.socket();
    }

    /** The first pane of session {@code main}. */
    public String firstPane() {
        return tmux.run("list-panes", "-t", SESSION, "-F", "#{pane_id}").lines().findFirst().orElseThrow();
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
        return tmux.run(args.toArray(String[]::new)).strip();
    }

    /** What the pane shows ({@code capture-pane -p}). */
    public String screen(String pane) {
        return tmux.run("capture-pane", "-p", "-t", pane);
    }

    /** Control-mode clients attached to this server. */
    public int controlClients() {
        return (int) tmux.run("list-clients", "-F", "#{client_control_mode}").lines().filter("1"::equals).count();
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

    @Override
    public void close() {
        try {
            tmux.run("kill-server");
        } catch (RuntimeException ignored) {
            // already gone
        }
    }
}
