package dev.agentcommander.agentd.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on the test classpath whose environment is only {@code PATH} and {@code HOME}, as {@code env -i}
 * or a systemd unit without {@code Environment=} leaves it: no LANG, no LC_*, no TMUX. For tests of what agentd
 * does when nothing names a locale. Output goes to a log file the failure message can show.
 */
public final class BareJvm implements AutoCloseable {
    private final Process process;
    private final Path log;

    private BareJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java jvmFlags… -cp <test classpath> mainClass args…} with HOME = {@code home}. */
    public static BareJvm start(Path home, Path log, List<String> jvmFlags, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", home.toString());
        return new BareJvm(pb.start(), log);
    }

    /** Waits for the process to end; its exit code. @throws AssertionError when it does not end in time */
    public int waitFor(long seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("child JVM still running after " + seconds + " s:\n" + output());
        }
        return process.exitValue();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** What it printed so far (stdout and stderr). */
    public String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGTERM, then SIGKILL if it does not stop within 15 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
