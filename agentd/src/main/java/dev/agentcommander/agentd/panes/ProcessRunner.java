package dev.agentcommander.agentd.panes;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a helper program (git) as an argument list with a hard timeout: output is drained on its own thread, so a
 * hung hook or filter cannot hold agentd's command or scanner thread. (The tmux layer has its own runner.)
 */
public final class ProcessRunner {
    /** Exit code (-1 on timeout) and the output (stdout, plus stderr when asked for). */
    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    private ProcessRunner() {
    }

    public static Result run(List<String> cmd, Map<String, String> env, Duration timeout, boolean withStderr)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (withStderr) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().name("process-output").start(() -> drain(p.getInputStream(), out));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, cmd.get(0) + " timed out after " + timeout.toSeconds() + " s");
            }
            reader.join(timeout);
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream to) {
        try (in) {
            in.transferTo(to);
        } catch (IOException ignored) {
            // the process ended or was killed; what we have is what there is
        }
    }
}
