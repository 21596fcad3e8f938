package dev.agentcommander.agentd.hooks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    static Running start(String listen, String pane, byte[] stdin, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AGENTD_HOOKS_LISTEN", listen);
        pb.environment().remove("TMUX_PANE");
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
                    // the script may stop reading early (oversized input)
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

    static Result run(String listen, String pane, String json, String... args) throws Exception {
        return start(listen, pane, json.getBytes(StandardCharsets.UTF_8), args).result();
    }

    private HookScript() {
    }
}
