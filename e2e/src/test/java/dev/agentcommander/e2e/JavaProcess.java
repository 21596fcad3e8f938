package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.JvmArgs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real JVM child process (agentd or the control plane) started from the test classpath, so tests can kill it
 * with SIGKILL and start it again. Output goes to a log file that failures can point at.
 */
public final class JavaProcess implements AutoCloseable {
    /** agentd's argfiles ({@code agentd/src/main/jvm}; Surefire and the bench script say where). */
    static final Path JVM_ARGS = Path.of(System.getProperty("agentd.jvm.dir", "../agentd/src/main/jvm"))
            .toAbsolutePath().normalize();

    /** What agentd checks for at start (Chronicle Queue needs it), for this JVM's version as the launcher does. */
    static List<String> chronicleFlags() {
        return JvmArgs.chronicle(JVM_ARGS);
    }

    /** The launcher's memory settings for agentd, so benchmark figures are the ones users get. */
    static List<String> launcherAgentdFlags() {
        return List.of("@" + JVM_ARGS.resolve("agentd.args"));
    }

    private final Process process;
    private final Path log;
    private final String name;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static JavaProcess start(String name, Path logDir, List<String> jvmFlags, String mainClass, List<String> args,
                             Map<String, String> env) throws IOException {
        return start(name, logDir, jvmFlags, mainClass, args, env, null);
    }

    /** As above on {@code classpath} (null: this JVM's). */
    static JavaProcess start(String name, Path logDir, List<String> jvmFlags, String mainClass, List<String> args,
                             Map<String, String> env, String classpath) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(classpath != null ? classpath : System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return exec(name, logDir, cmd, env);
    }

    /** Any command (a launcher script that execs java, say); its pid is the JVM's once the script has exec'd. */
    static JavaProcess exec(String name, Path logDir, List<String> cmd, Map<String, String> env) throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().putAll(env);
        return new JavaProcess(name, pb.start(), log);
    }

    /** Waits for a line matching {@code regex} in the output and returns its first group. */
    String awaitLine(String regex, Duration timeout) throws IOException, InterruptedException {
        Pattern p = Pattern.compile(regex);
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Matcher m = p.matcher(output());
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not print /" + regex + "/ within " + timeout + ":\n" + output());
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The exit status once the process has ended within {@code timeout}, else null. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** SIGKILL: no shutdown hooks, no flushing — the crash the reliability tests are about. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for a clean exit. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
