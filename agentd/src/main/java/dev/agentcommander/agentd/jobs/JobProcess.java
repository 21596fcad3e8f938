package dev.agentcommander.agentd.jobs;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts a job so that it does not need agentd: {@code setsid} gives it a session and process group of its own
 * (agentd's death or a signal to agentd's group does not reach it), its stdout and stderr go to files, its stdin
 * is the prompt file, and a fixed wrapper script records its pid and exit status in files. The script is a
 * constant; the program and its arguments reach it as positional parameters, never as shell text.
 */
final class JobProcess {
    /**
     * $1 = the job directory, the rest = the program and its arguments. The wrapper ignores TERM/INT/HUP only after
     * the job has forked (so the job keeps the default handlers) and waits for it, so a cancel that signals the
     * whole group still leaves the exit status behind; only SIGKILL (after the grace period) loses it.
     */
    static final String WRAPPER = """
            d=$1; shift
            printf '%s\\n' "$$" >"$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
            "$@" <"$d/prompt" &
            c=$!
            trap '' TERM INT HUP
            wait "$c"
            rc=$?
            printf '%s\\n' "$rc" >"$d/exit.tmp" && mv -f "$d/exit.tmp" "$d/exit"
            """;

    private JobProcess() {
    }

    /** A started wrapper: its pid (= the job's process group id) and, while agentd is its parent, its handle. */
    record Started(long pid, Long startMillis, Process process) {
    }

    static Started start(JobFiles files, Path cwd, List<String> argv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", WRAPPER, "agentd-job",
                files.dir().toString()));
        cmd.addAll(argv);
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(Redirect.appendTo(files.stdout().toFile()))
                .redirectError(Redirect.appendTo(files.stderr().toFile()))
                .start();
        return new Started(p.pid(), startMillis(p.pid()).orElse(null), p);
    }

    /** When process {@code pid} started, as the JDK reads it; empty when it is gone or unreadable. */
    static Optional<Long> startMillis(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(java.time.Instant::toEpochMilli);
    }

    /**
     * Whether the wrapper {@code pid} still runs: alive, and (when its start time was recorded) the same process,
     * not a later one that got the number again.
     */
    static boolean alive(long pid, Long startMillis, Process own) {
        if (own != null) {
            return own.isAlive();
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive() || zombie(pid)) {
            return false;
        }
        return startMillis == null || startMillis(pid).map(startMillis::equals).orElse(false);
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Sends {@code signal} (TERM, KILL) to the whole process group {@code pgid}; false when no such group. */
    static boolean signalGroup(long pgid, String signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        try {
            Process k = new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid).redirectErrorStream(true)
                    .redirectOutput(Redirect.DISCARD).start();
            return k.waitFor(5, TimeUnit.SECONDS) && k.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
