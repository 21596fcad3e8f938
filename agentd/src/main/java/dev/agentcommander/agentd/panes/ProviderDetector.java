package dev.agentcommander.agentd.panes;

import dev.agentcommander.schema.Provider;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells what runs in a pane from tmux's current command and the process tree under the pane's pid, read from
 * /proc (no {@code ps} process per poll). Claude Code runs as {@code claude} or as node running claude-code, so
 * the foreground name alone is not enough.
 *
 * <p>A pane's verdict is kept while its foreground command and the set of processes under it stay the same (the tree
 * is re-walked every poll, one {@code children} file per process; only each process's {@code comm} and
 * {@code cmdline} are not re-read), for at most {@link #MAX_AGE}: a process that execs another program in place
 * keeps its pid, so a verdict never outlives that bound. On an idle host this is two thirds of the scanner's /proc
 * reads (docs/benchmarks.md, 2026-12-02 "idle work").
 */
public final class ProviderDetector {
    /**
     * The one list of shells: a pane whose foreground is one of these is provider {@code shell}, and its status is
     * IDLE at the prompt and RUNNING while something else holds the foreground ({@link PaneStatusDetector}).
     */
    static final Set<String> SHELLS = Set.of("bash", "zsh", "sh", "fish", "dash", "ksh", "mksh", "tcsh", "csh",
            "ash", "nu", "elvish", "xonsh", "pwsh", "busybox");
    private static final int MAX_PROCESSES = 256;

    /** Longest /proc file read: argv beyond it (past the first few arguments) is never looked at. */
    private static final int MAX_READ = 64 * 1024;

    /** How long a verdict stands while nothing tmux or the process tree shows has changed. */
    static final Duration MAX_AGE = Duration.ofSeconds(10);
    private static final int MAX_PANES = 1024;

    private record Seen(String currentCommand, List<Integer> tree, Provider provider, Instant at) {
    }

    private final String procDir;
    private final Clock clock;
    private final Map<Integer, Seen> seen = new ConcurrentHashMap<>();

    public ProviderDetector(Path proc) {
        this(proc, Clock.systemUTC());
    }

    public ProviderDetector(Path proc, Clock clock) {
        this.procDir = proc.toString() + "/";
        this.clock = clock;
    }

    public Provider detect(String currentCommand, int panePid) {
        Provider byName = byName(currentCommand, List.of());
        if (byName == Provider.CLAUDE || byName == Provider.CODEX) {
            return byName;
        }
        List<Integer> tree = new ArrayList<>();
        tree.add(panePid);
        tree.addAll(descendants(panePid));
        Instant now = clock.instant();
        Seen before = seen.get(panePid);
        if (before != null && before.currentCommand.equals(currentCommand) && before.tree.equals(tree)
                && now.isBefore(before.at.plus(MAX_AGE))) {
            return before.provider;
        }
        Provider p = classify(currentCommand, tree);
        if (seen.size() >= MAX_PANES) {
            seen.clear(); // pids of panes long gone: cheaper to forget all than to track which
        }
        seen.put(panePid, new Seen(currentCommand, List.copyOf(tree), p, now));
        return p;
    }

    private Provider classify(String currentCommand, List<Integer> tree) {
        boolean codex = false;
        for (int pid : tree) {
            String comm = read(pid, "comm").trim();
            Provider p = byName(comm, needsArgv(comm) ? argv(pid) : List.of());
            if (p == Provider.CLAUDE) {
                return Provider.CLAUDE;
            }
            codex |= p == Provider.CODEX;
        }
        if (codex) {
            return Provider.CODEX;
        }
        return isShell(currentCommand) ? Provider.SHELL : Provider.OTHER;
    }

    static Provider byName(String comm, List<String> argv) {
        String c = base(comm);
        if (c.equals("claude")) {
            return Provider.CLAUDE;
        }
        if (c.equals("codex")) {
            return Provider.CODEX;
        }
        if (needsArgv(c)) {
            for (int i = 1; i < argv.size() && i < 4; i++) {
                String a = argv.get(i);
                if (a.contains("claude-code") || base(a).equals("claude")) {
                    return Provider.CLAUDE;
                }
                if (a.contains("@openai/codex") || base(a).equals("codex")) {
                    return Provider.CODEX;
                }
            }
        }
        return SHELLS.contains(c) ? Provider.SHELL : Provider.OTHER;
    }

    /** An interpreter (or a shell) may be running Claude or Codex from a script: only then does argv say more. */
    private static boolean needsArgv(String comm) {
        String c = base(comm);
        return c.equals("node") || c.equals("bun") || c.equals("deno") || SHELLS.contains(c) || c.startsWith("python");
    }

    /** Whether {@code command} (tmux's pane_current_command, a path or a login shell's "-bash") is a shell. */
    static boolean isShell(String command) {
        return SHELLS.contains(base(command));
    }

    private static String base(String s) {
        if (s == null) {
            return "";
        }
        String b = s.substring(s.lastIndexOf('/') + 1);
        b = b.startsWith("-") ? b.substring(1) : b; // login shells: "-bash"
        // Claude Code's npm package runs a native binary named claude.exe (2.1.x), on Linux too
        return b.endsWith(".exe") ? b.substring(0, b.length() - 4) : b;
    }

    /** Every process below {@code pid} (breadth first, bounded). */
    List<Integer> descendants(int pid) {
        List<Integer> out = new ArrayList<>();
        if (pid <= 0) {
            return out;
        }
        Deque<Integer> todo = new ArrayDeque<>(List.of(pid));
        while (!todo.isEmpty() && out.size() < MAX_PROCESSES) {
            int p = todo.poll();
            for (String c : read(p, "task/" + p + "/children").trim().split("\\s+")) {
                if (!c.isEmpty()) {
                    int child = Integer.parseInt(c);
                    out.add(child);
                    todo.add(child);
                }
            }
        }
        return out;
    }

    private List<String> argv(int pid) {
        String raw = read(pid, "cmdline");
        return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
    }

    /**
     * A small /proc file, whole up to {@link #MAX_READ} bytes. Plain reads into one buffer: this runs for every
     * process of every pane on every poll, and {@code Files.readString}'s channel, stat and growing arrays were
     * most of an idle scan's allocation.
     */
    private String read(int pid, String file) {
        try (InputStream in = new FileInputStream(procDir + pid + "/" + file)) {
            byte[] buf = new byte[512];
            int n = 0;
            for (int r; (r = in.read(buf, n, buf.length - n)) > 0; ) {
                n += r;
                if (n == buf.length) {
                    if (n >= MAX_READ) {
                        break;
                    }
                    buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 4, MAX_READ));
                }
            }
            return new String(buf, 0, n, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return ""; // the process ended while we looked
        }
    }
}
