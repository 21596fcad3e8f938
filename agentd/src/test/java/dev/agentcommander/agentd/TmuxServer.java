package dev.agentcommander.agentd;

import dev.agentcommander.agentd.tmux.Tmux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** A private tmux server for one test: {@code tmux -S <dir>/sock -f /dev/null}. */
public final class TmuxServer implements AutoCloseable {
    public final Path dir;
    public final Tmux tmux;

    public TmuxServer(Path dir) {
        this.dir = dir;
        this.tmux = new Tmux("tmux", dir.resolve("sock").toString());
        tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "200", "-y", "50");
    }

    /** Opens a window running {@code argv} (no shell) in {@code cwd}; returns its pane id. */
    public String window(Path cwd, String... argv) {
        String[] args = new String[7 + argv.length];
        args[0] = "new-window";
        args[1] = "-d";
        args[2] = "-P";
        args[3] = "-F";
        args[4] = "#{pane_id}";
        args[5] = "-c";
        args[6] = cwd.toString();
        System.arraycopy(argv, 0, args, 7, argv.length);
        return tmux.run(args).strip();
    }

    /** Writes an executable script {@code name} into {@code dir}. */
    public static Path script(Path dir, String name, String body) throws Exception {
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    public static void await(String what, Duration max, BooleanSupplier cond) throws InterruptedException {
        Instant end = Instant.now().plus(max);
        while (!cond.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
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
