package dev.agentcommander.agentd.hooks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code agentd-hook} script as Claude Code would: JSON on stdin, TMUX_PANE in the environment. */
final class HookScript {
    static final Path SCRIPT = Path.of("src/main/sh/agentd-hook").toAbsolutePath();

    record Result(int exit, String stdout, long millis) {
    }

    /** A running hook; {@link #result()} waits for it. */
    static final class Running {
        final Process process;
        final CompletableFuture<Result> result;

        Running(Process process, CompletableFuture<Result> result) {
            this.process = process;
            this.result = result;
        }

        Result result() throws Exception {
            return result.get(30, TimeUnit.SECONDS);
        }

        /** Kills the script and its curl, as Claude does when the person answers in the pane. */
        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * The environment that points the script at {@code where}: an absolute socket path (as
     * {@code $AGENTD_HOOKS_SOCKET}), a TCP {@code host:port} (as {@code $AGENTD_HOOKS_LISTEN}), or null for neither.
     */
    static Map<String, String> env(String where) {
        Map<String, String> env = new HashMap<>();
        if (where != null) {
            env.put(where.startsWith("/") ? "AGENTD_HOOKS_SOCKET" : "AGENTD_HOOKS_LISTEN", where);
        }
        return env;
    }

    static Running start(String where, String pane, byte[] stdin, String... args) throws IOException {
        return start(env(where), pane, stdin, args);
    }

    /**
     * @param env added to a cleaned environment: no AGENTD_* or XDG_* of the test's own, and a HOME that does not
     *            exist, so the script's socket discovery finds only what a test put there
     */
    static Running start(Map<String, String> env, String pane, byte[] stdin, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("AGENTD_") || k.startsWith("XDG_"));
        pb.environment().put("HOME", "/nonexistent-home");
        pb.environment().remove("TMUX_PANE");
        pb.environment().putAll(env);
        if (pane != null) {
            pb.environment().put("TMUX_PANE", pane);
        }
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<Result> result = CompletableFuture.supplyAsync(() -> {
            try {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException ignored) {
                    // the script may stop reading early (oversized input, nowhere to send it)
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int exit = p.waitFor();
                return new Result(exit, out, (System.nanoTime() - t0) / 1_000_000);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().name("hook-script").start(r));
        return new Running(p, result);
    }

    static Result run(String where, String pane, String json, String... args) throws Exception {
        return start(where, pane, json.getBytes(StandardCharsets.UTF_8), args).result();
    }

    private HookScript() {
    }
}
