package dev.agentcommander.agentd.doctor;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finding a program as the shell would ({@code PATH}) and running it briefly, argv only, output bounded. */
final class Programs {
    private static final int MAX_OUTPUT = 16 * 1024;

    /** What a program printed (stdout and stderr together) and how it exited. */
    record Result(int exit, String output) {
    }

    private final Map<String, String> env;
    private final Duration timeout;

    Programs(Map<String, String> env, Duration timeout) {
        this.env = env;
        this.timeout = timeout;
    }

    /** {@code name} itself when it has a slash, else the first executable {@code PATH} entry holding it. */
    Optional<Path> find(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Runs {@code argv} with stdin from /dev/null. @throws IOException when it cannot start or does not end */
    Result run(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().name("doctor-output").start(() -> {
            try {
                out.write(p.getInputStream().readNBytes(MAX_OUTPUT));
            } catch (IOException ignored) {
                // the process was killed: what was read is kept
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s");
            }
            reader.join(Duration.ofSeconds(2));
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
