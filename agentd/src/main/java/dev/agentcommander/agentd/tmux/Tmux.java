package dev.agentcommander.agentd.tmux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tmux against one server, always as an argument list (never a shell string), so text typed by a person
 * reaches tmux as data. {@code socket} empty means the user's default server, else a socket path for {@code -S}.
 * Every call carries {@code -u}: without it a client whose environment names no UTF-8 locale (a systemd unit
 * without LANG) gets every byte outside printable ASCII replaced by {@code _}, separators and non-ASCII paths
 * alike.
 */
public final class Tmux {
    private static final long TIMEOUT_SECONDS = 10;

    private final String bin;
    private final String socket;

    public Tmux(String bin, String socket) {
        this.bin = bin;
        this.socket = socket == null ? "" : socket;
    }

    /**
     * The argv for a tmux call on our server: {@code tmux -u [-S socket] args…}. tmux splits commands at any
     * argument that ends in {@code ;} (so {@code set-option … "a;" kill-server} would run two commands): an
     * argument that is exactly {@code ;} stays a separator, any other ending in {@code ;} gets it escaped and
     * arrives literally.
     */
    public List<String> argv(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin);
        cmd.add("-u");
        if (!socket.isEmpty()) {
            cmd.add("-S");
            cmd.add(socket);
        }
        for (String a : args) {
            cmd.add(a.length() > 1 && a.endsWith(";") ? a.substring(0, a.length() - 1) + "\\;" : a);
        }
        return cmd;
    }

    /**
     * Runs a tmux command and returns its stdout.
     *
     * @throws TmuxException on a non-zero exit (of the kind tmux's stderr names) or a timeout
     */
    public String run(String... args) {
        return new String(runBytes(null, args), StandardCharsets.UTF_8);
    }

    /** Runs a tmux command with {@code stdin} fed to it (e.g. {@code load-buffer -}). */
    public String runWithInput(byte[] stdin, String... args) {
        return new String(runBytes(stdin, args), StandardCharsets.UTF_8);
    }

    private byte[] runBytes(byte[] stdin, String... args) {
        ProcessBuilder pb = new ProcessBuilder(argv(args));
        pb.redirectErrorStream(false);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new TmuxException("cannot run " + bin + ": " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            // both streams are drained on their own threads so the timeout below holds even if tmux hangs
            Thread outReader = Thread.ofVirtual().name("tmux-stdout").start(() -> drain(p.getInputStream(), out));
            Thread errReader = Thread.ofVirtual().name("tmux-stderr").start(() -> drain(p.getErrorStream(), err));
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // tmux exited before reading its input (no server, say): its exit status and stderr below
                    // say what went wrong, not this broken pipe
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TmuxException.Timeout("tmux " + args[0] + " timed out after " + TIMEOUT_SECONDS + " s");
            }
            outReader.join(java.time.Duration.ofSeconds(TIMEOUT_SECONDS));
            errReader.join(java.time.Duration.ofSeconds(TIMEOUT_SECONDS));
            if (p.exitValue() != 0) {
                throw TmuxException.failed(args[0], err.toString(StandardCharsets.UTF_8).trim());
            }
            return out.toByteArray();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TmuxException("interrupted while running tmux " + args[0], e);
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException ignored) {
            // the process ended; what we have is enough for the error message
        }
    }

    /**
     * Every pane on the server, once each, as tmux reports it (see {@link PaneTable} for why no pane can add rows);
     * empty when no server is running, or when it has no session left: tmux answers "no current target" then (its
     * last session was just killed and it is on its way out; with a session it always finds one).
     */
    public List<Pane> listPanes() {
        PaneTable table = PaneTable.fresh();
        String out;
        try {
            out = runWithInput(table.command().getBytes(StandardCharsets.UTF_8), "source-file", "-");
        } catch (TmuxException.NoServer | TmuxException.NoCurrentTarget e) {
            return List.of();
        }
        return table.parse(out);
    }

    public String bin() {
        return bin;
    }

    public String socket() {
        return socket;
    }
}
