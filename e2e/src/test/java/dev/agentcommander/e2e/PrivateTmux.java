package dev.agentcommander.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A tmux server of the test's own ({@code tmux -S <dir>/sock -f /dev/null}), so tests never see the user's panes. */
final class PrivateTmux implements AutoCloseable {
    private final Path socket;
    private final Map<String, String> env;

    /**
     * Starts the server with {@code env} in its sessions' environment. tmux gives a new pane the PATH of the client
     * that asked for it, so every tmux call from here runs with {@code env} too.
     */
    PrivateTmux(Path dir, Map<String, String> env) {
        this.socket = dir.resolve("sock");
        this.env = Map.copyOf(env);
        List<String> args = new ArrayList<>(List.of("new-session", "-d", "-s", "main", "-x", "160", "-y", "48"));
        for (Map.Entry<String, String> e : env.entrySet()) {
            args.addAll(List.of("-e", e.getKey() + "=" + e.getValue()));
        }
        run(args.toArray(String[]::new));
    }

    Path socket() {
        return socket;
    }

    /** Runs a tmux command; unchecked so it can sit inside a {@link Poll} probe. */
    String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-S", socket.toString(), "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("tmux " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: tmux " + String.join(" ", args), e);
        }
    }

    /** Opens a new window running {@code argv} in {@code cwd}; returns its pane id (e.g. %3). */
    String newWindow(Path cwd, String... argv) {
        List<String> args = new ArrayList<>(List.of("new-window", "-d", "-P", "-F", "#{pane_id}", "-c", cwd.toString()));
        args.addAll(List.of(argv));
        return run(args.toArray(String[]::new)).trim();
    }

    String capture(String paneId) {
        return run("capture-pane", "-p", "-J", "-t", paneId);
    }

    @Override
    public void close() {
        try {
            run("kill-server");
        } catch (Exception ignored) {
            // already gone
        }
    }
}
