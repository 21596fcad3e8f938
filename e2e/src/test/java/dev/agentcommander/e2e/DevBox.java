package dev.agentcommander.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh dev box in a directory: its own HOME, agentd installed by the control plane's install line into
 * {@code home/.local/share/agentd}, its config and token in {@code home/.config/agentd}. The tests run as root, so
 * {@code AGENTD_HOME} and {@code AGENTD_CONFIG} keep install.sh out of /opt and /etc (what it does for root).
 * The install line runs as the dashboard shows it, as two processes piped together, not through a shell string.
 */
final class DevBox {
    /** What the dashboard shows: {@code curl -fsSL URL/install.sh | sh -s -- CODE}. */
    static final Pattern LINE = Pattern.compile(
            "curl -fsSL (http://[^ ]+/install\\.sh) \\| sh -s -- (ace_[A-Za-z0-9_-]{43})");

    final Path home;
    final Path prefix;
    final Path config;

    /** What a process printed and how it ended. */
    record Result(int exit, String output) {
    }

    DevBox(Path dir) throws IOException {
        this.home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(home.resolve("tmp"));
        this.prefix = home.resolve(".local/share/agentd");
        this.config = home.resolve(".config/agentd/config.yaml");
    }

    Path tokenFile() {
        return config.resolveSibling("token");
    }

    /** The box's environment: its HOME, this JVM's JDK, and where install.sh puts things. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("PATH", System.getenv("PATH"));
        env.put("LANG", "C.UTF-8");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JDK_SEARCH_PATH", "");
        env.put("AGENTD_HOME", prefix.toString());
        env.put("AGENTD_CONFIG", config.toString());
        env.put("TMPDIR", home.resolve("tmp").toString());
        return env;
    }

    /** Runs the install line {@code line} (curl … | sh -s -- CODE) with {@link #env()} and {@code extra}. */
    Result install(String line, String... extra) throws IOException, InterruptedException {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("not the install line: " + line);
        }
        List<String> sh = new ArrayList<>(List.of("/bin/sh", "-s", "--", m.group(2)));
        sh.addAll(List.of(extra));
        Path log = home.resolve("install-" + System.nanoTime() + ".log");
        ProcessBuilder curl = new ProcessBuilder("curl", "-fsSL", m.group(1))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        ProcessBuilder shell = new ProcessBuilder(sh).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        for (ProcessBuilder pb : List.of(curl, shell)) {
            pb.environment().clear();
            pb.environment().putAll(env());
        }
        List<Process> ps = ProcessBuilder.startPipeline(List.of(curl, shell));
        return finish(ps.get(1), log, ps.get(0));
    }

    /** Runs the installed {@code agentd} with {@code args} (the box's env). */
    Result agentd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(prefix.resolve("agentd").toString()));
        cmd.addAll(List.of(args));
        Path log = home.resolve("agentd-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env());
        return finish(pb.start(), log);
    }

    /** The installed daemon, watching the tmux server at {@code tmuxSocket}, its state in {@code state}. */
    JavaProcess startDaemon(Path logs, String tmuxSocket, Path state) throws IOException {
        Map<String, String> env = env();
        env.put("AGENTD_TMUX_SOCKET", tmuxSocket);
        env.put("AGENTD_STORAGE_STATE_DIR", state.toString());
        env.put("AGENTD_CDS_ARCHIVE", "");
        return JavaProcess.exec("agentd-enrolled", logs, List.of(prefix.resolve("agentd").toString(), "run",
                "--config", config.toString()), env);
    }

    private static Result finish(Process last, Path log, Process... others) throws InterruptedException,
            IOException {
        boolean done = last.waitFor(120, TimeUnit.SECONDS);
        for (Process p : others) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (!done) {
            last.destroyForcibly();
            throw new IllegalStateException("did not finish in 120 s:\n" + Files.readString(log));
        }
        return new Result(last.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
