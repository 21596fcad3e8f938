package dev.agentcommander.agentd.hooks;

import dev.agentcommander.agentd.outbox.PrivateFiles;
import dev.agentcommander.schema.Ids;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code agentd hook}: the same contract as the {@code agentd-hook} script, in Java, for machines where the
 * script cannot run (no bash or curl). A JVM start costs far more than the script, so install-hooks installs
 * the script; this is the fallback. Always exits 0; prints only an answer to a PermissionRequest.
 */
public final class HookCommand {
    private static final Pattern PERMISSION =
            Pattern.compile("\"hook_event_name\"\\s*:\\s*\"PermissionRequest\"");

    private HookCommand() {
    }

    /** Where a hook is posted and the Host header it names. */
    record Target(SocketAddress address, String host) {
        static Target unix(Path socket) {
            return new Target(UnixDomainSocketAddress.of(socket), "agentd");
        }
    }

    /** Runs the hook; the return value is the exit code (always 0). */
    public static int run(List<String> args, InputStream stdin, PrintStream stdout, Map<String, String> env) {
        try {
            String socket = null;
            String listen = null;
            int timeout = parseInt(env.get("AGENTD_APPROVAL_TIMEOUT"), 600);
            for (int i = 0; i + 1 < args.size(); i++) {
                switch (args.get(i)) {
                    case "--socket" -> socket = args.get(++i);
                    case "--listen" -> listen = args.get(++i);
                    case "--timeout" -> timeout = parseInt(args.get(++i), timeout);
                    default -> { }
                }
            }
            Optional<Target> target = target(socket, listen, env);
            String pane = env.getOrDefault("TMUX_PANE", "");
            if (target.isEmpty() || !Ids.isPaneId(pane)) {
                return 0; // no agentd to ask, or not in a tmux pane agentd could know
            }
            byte[] body = stdin.readNBytes(HookServer.MAX_BODY_BYTES + 1);
            if (body.length == 0 || body.length > HookServer.MAX_BODY_BYTES) {
                return 0;
            }
            boolean permission = PERMISSION.matcher(new String(body, StandardCharsets.UTF_8)).find();
            String answer = post(target.get(), pane, body, permission ? timeout + 20L : 10);
            if (permission && answer != null && answer.startsWith("{")) {
                stdout.println(answer);
                stdout.flush();
            }
        } catch (IOException | RuntimeException e) {
            // agentd unreachable, timed out or refused: print nothing so Claude shows its own prompt
        }
        return 0;
    }

    /**
     * Where to post, as the script decides: {@code --socket}, else {@code --listen}, else
     * {@code $AGENTD_HOOKS_SOCKET}, else {@code $AGENTD_HOOKS_LISTEN}, else the first of
     * {@link #socketCandidates} that is a socket owned by this user. A socket someone else owns is never used
     * (they could answer approvals).
     */
    static Optional<Target> target(String socket, String listen, Map<String, String> env) {
        if (socket == null && listen == null) {
            socket = blankToNull(env.get("AGENTD_HOOKS_SOCKET"));
            listen = socket == null ? blankToNull(env.get("AGENTD_HOOKS_LISTEN")) : null;
        }
        if (socket != null) {
            Path p = Path.of(socket);
            return ours(p) ? Optional.of(Target.unix(p)) : Optional.empty();
        }
        if (listen != null) {
            ListenAddress l = ListenAddress.parse(listen);
            return Optional.of(new Target(l.socketAddress(), l.toString()));
        }
        for (Path p : socketCandidates(env)) {
            if (ours(p)) {
                return Optional.of(Target.unix(p));
            }
        }
        return Optional.empty();
    }

    /**
     * Where agentd's default {@code hooks.socket} ({@code <state_dir>/hooks.sock}) is for the usual setups, in the
     * order the script tries them: {@code $AGENTD_STORAGE_STATE_DIR}, the user's XDG state directory, the
     * systemd unit's {@code /var/lib/agentd/$USER}, then root's {@code /var/lib/agentd}.
     */
    static List<Path> socketCandidates(Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        String state = env.get("AGENTD_STORAGE_STATE_DIR");
        if (state != null && state.startsWith("/")) {
            out.add(Path.of(state, "hooks.sock"));
        }
        String xdg = env.get("XDG_STATE_HOME");
        String home = env.get("HOME");
        if (xdg != null && xdg.startsWith("/")) {
            out.add(Path.of(xdg, "agentd", "hooks.sock"));
        } else if (home != null && home.startsWith("/")) {
            out.add(Path.of(home, ".local", "state", "agentd", "hooks.sock"));
        }
        String user = env.get("USER");
        if (user != null && user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            out.add(Path.of("/var/lib/agentd", user, "hooks.sock"));
        }
        out.add(Path.of("/var/lib/agentd", "hooks.sock"));
        return out;
    }

    /** A socket file owned by this user in a directory owned by this user (what the script checks with -S/-O). */
    private static boolean ours(Path p) {
        try {
            int me = PrivateFiles.myUid();
            return p.isAbsolute() && HookSocket.isSocket(p) && PrivateFiles.ownerUid(p) == me
                    && Files.isDirectory(p.getParent(), LinkOption.NOFOLLOW_LINKS)
                    && PrivateFiles.ownerUid(p.getParent()) == me;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The body of a 200 answer (heartbeat newlines stripped), or null for anything else. */
    private static String post(Target to, String pane, byte[] body, long maxSeconds) throws IOException {
        try (SocketChannel ch = to.address() instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
            Thread deadline = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(maxSeconds * 1000);
                    ch.close();
                } catch (InterruptedException | IOException e) {
                    // done in time
                }
            });
            try {
                ch.connect(to.address());
                byte[] head = ("POST /hooks/claude?pane=" + URLEncoder.encode(pane, StandardCharsets.UTF_8)
                        + " HTTP/1.1\r\nHost: " + to.host() + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                ByteBuffer out = ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                return HookResponse.okBody(readAll(ch));
            } finally {
                deadline.interrupt();
            }
        }
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf.clear()) >= 0) {
            all.write(buf.array(), 0, buf.position());
            if (all.size() > 2 * HookServer.MAX_BODY_BYTES) {
                throw new IOException("answer too large");
            }
        }
        return all.toByteArray();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
