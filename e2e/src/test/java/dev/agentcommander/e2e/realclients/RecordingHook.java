package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A hook command that records what the real CLI sends it: each call's stdin goes to {@code calls/<ns>-<pid>-<event>.json}
 * (written whole, then renamed), with marker files for when it started (holding the TMUX_PANE it saw) and ended. For PermissionRequest it waits
 * while a {@code hold} file exists, then prints the decision for the n-th request ({@code decision-<n>.json}) or
 * the standing one ({@code decision.json}) if there is one, else nothing (Claude then shows its own dialog). Holding is how a test sees what Claude does to a hook that is still waiting when the
 * dialog is answered in the pane: a killed hook never writes its end marker.
 */
public final class RecordingHook implements AutoCloseable {
    private static final String SCRIPT = """
            #!/bin/sh
            # Records one hook call for the real-client tests (RecordingHook.java).
            dir=%s
            ev="$1"; id="$(date +%%s%%N)-$$-$ev"
            printf '%%s' "${TMUX_PANE:-}" > "$dir/started/$id"
            cat > "$dir/calls/.$id.tmp" && mv "$dir/calls/.$id.tmp" "$dir/calls/$id.json"
            if [ "$ev" = PermissionRequest ]; then
              n=$(ls "$dir/calls" | grep -c -- '-PermissionRequest[.]json$')
              while [ -e "$dir/hold" ] && [ ! -f "$dir/decision-$n.json" ]; do sleep 0.1; done
              if [ -f "$dir/decision-$n.json" ]; then cat "$dir/decision-$n.json"
              elif [ -f "$dir/decision.json" ]; then cat "$dir/decision.json"; fi
            fi
            : > "$dir/ended/$id"
            """;

    /** One recorded hook call. {@code atNanos} is the wall clock (date +%s%N) when the hook started. */
    public record Call(String id, String event, long atNanos, long pid, JsonNode payload) {
    }

    private final Path dir;
    private final Path script;

    public RecordingHook(Path dir) {
        this.dir = dir;
        this.script = dir.resolve("record-hook");
        try {
            for (String d : List.of("calls", "started", "ended")) {
                Files.createDirectories(dir.resolve(d));
            }
            Files.writeString(script, SCRIPT.formatted(shellQuote(dir.toString())));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line to put into the CLI's hook settings for {@code event}. */
    public String command(String event) {
        return shellQuote(script.toString()) + " " + event;
    }

    /**
     * Makes PermissionRequest calls wait before they answer: until {@link #release()}, or until the test writes
     * that call's own decision with {@link #decide(int, String)} — so a test can answer each request after
     * reading it, without racing the next one.
     */
    public void hold() {
        write(dir.resolve("hold"), "");
    }

    public void release() {
        try {
            Files.deleteIfExists(dir.resolve("hold"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the next PermissionRequest calls print (Claude-format JSON); null = print nothing. */
    public void decide(String json) {
        Path f = dir.resolve("decision.json");
        if (json == null) {
            release(); // a held hook that is released with no decision prints nothing
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            write(f, json);
        }
    }

    /** What the {@code n}th (1-based) PermissionRequest prints, ahead of the standing {@link #decide} answer. */
    public void decide(int n, String json) {
        write(dir.resolve("decision-" + n + ".json"), json);
    }

    /** Every recorded call, oldest first. */
    public List<Call> calls() {
        List<Call> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("calls"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                String name = f.getFileName().toString();
                String[] parts = name.substring(0, name.length() - 5).split("-", 3);
                out.add(new Call(name.substring(0, name.length() - 5), parts[2], Long.parseLong(parts[0]),
                        Long.parseLong(parts[1]), Json.read(Files.readString(f, StandardCharsets.UTF_8))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public List<Call> calls(String event) {
        return calls().stream().filter(c -> c.event().equals(event)).toList();
    }

    /** Waits for the {@code n}th (1-based) call of {@code event}. */
    public Call await(String event, int n, Duration timeout) {
        return Await.value("hook call #" + n + " of " + event, timeout, () -> {
            List<Call> c = calls(event);
            return c.size() >= n ? c.get(n - 1) : null;
        }, () -> calls().stream().map(Call::event).toList().toString());
    }

    public Call await(String event, Duration timeout) {
        return await(event, 1, timeout);
    }

    /** The TMUX_PANE the hook process saw (agentd's hook relies on it to know the pane), "" if none. */
    public String tmuxPane(Call call) {
        try {
            return Files.readString(dir.resolve("started").resolve(call.id()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the call's process finished by itself (wrote its end marker). */
    public boolean ended(Call call) {
        return Files.exists(dir.resolve("ended").resolve(call.id()));
    }

    /** Whether the call's hook process is still running. */
    public boolean alive(Call call) {
        Optional<ProcessHandle> p = ProcessHandle.of(call.pid());
        return p.isPresent() && p.get().isAlive() && !ended(call)
                && p.get().info().commandLine().map(c -> c.contains(script.toString())).orElse(true);
    }

    /** Lets held hooks finish; kills any that are still running a moment later (they are this test's children). */
    @Override
    public void close() {
        release();
        long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
        for (Call c : calls()) {
            while (alive(c) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (alive(c)) {
                ProcessHandle.of(c.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static void write(Path f, String text) {
        try {
            Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }
}
