package dev.agentcommander.e2e.realclients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tmux server of the test's own ({@code tmux -S <dir>/sock -f /dev/null}) running one program in one pane. The
 * server is started with exactly {@code env} as its environment, so the pane sees that and tmux's own TMUX and
 * TMUX_PANE, nothing of the developer's. The pane stays after its program exits, so a crash can still be read.
 */
final class TmuxServer implements AutoCloseable {
    private final Path socket;
    private final Map<String, String> env;
    private final String pane;

    TmuxServer(Path socket, Map<String, String> env, Path cwd, int cols, int rows, List<String> argv) {
        this.socket = socket;
        this.env = Map.copyOf(env);
        List<String> args = new ArrayList<>(List.of("new-session", "-d", "-P", "-F", "#{pane_id}", "-s", "real",
                "-x", String.valueOf(cols), "-y", String.valueOf(rows), "-c", cwd.toString()));
        args.addAll(argv);
        args.addAll(List.of(";", "set-option", "-g", "remain-on-exit", "on"));
        this.pane = run(args.toArray(String[]::new)).trim();
    }

    String pane() {
        return pane;
    }

    Path socket() {
        return socket;
    }

    /** The visible screen as text ({@code capture-pane -p}): no colours, trailing spaces as tmux gives them. */
    String screen() {
        return run("capture-pane", "-p", "-t", pane);
    }

    /** Types {@code text} literally (no key names). */
    void type(String text) {
        run("send-keys", "-t", pane, "-l", text);
    }

    /** Sends tmux key names (Enter, Escape, Down, BTab, C-c …). */
    void keys(String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", pane));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    boolean paneDead() {
        return "1".equals(run("display-message", "-p", "-t", pane, "#{pane_dead}").trim());
    }

    String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-S", socket.toString(), "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
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
            throw new IllegalStateException("interrupted: tmux " + args[0], e);
        }
    }

    /**
     * Stops the server and waits (up to 5 s, then SIGKILL) for the pane's program and its children to exit, so the
     * test's directory is not written to while it is being deleted.
     */
    @Override
    public void close() {
        List<ProcessHandle> procs = new ArrayList<>();
        try {
            long pid = Long.parseLong(run("display-message", "-p", "-t", pane, "#{pane_pid}").trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                procs.add(p);
                p.descendants().forEach(procs::add);
            });
            run("kill-server");
        } catch (RuntimeException ignored) {
            // already gone
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
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
}
