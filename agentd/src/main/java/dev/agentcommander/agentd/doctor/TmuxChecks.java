package dev.agentcommander.agentd.doctor;

import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.tmux.Tmux;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tmux binary and the server agentd would watch. When the server does not answer, the finding says why it most
 * likely does not, in the order people hit it (seed troubleshooting): a private /tmp under systemd, being inside a
 * different tmux server than the configured one, a server that runs for another user, or no server at all.
 */
final class TmuxChecks {
    /** Control mode's pause-after and no-output, which the console relies on, arrived in tmux 3.2. */
    static final int[] MINIMUM = {3, 2};
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

    private final Config.Tmux config;
    private final Doctor.Host host;
    private final Programs programs;

    TmuxChecks(Config.Tmux config, Doctor.Host host, Programs programs) {
        this.config = config;
        this.host = host;
        this.programs = programs;
    }

    Check binary() {
        Optional<Path> bin = programs.find(config.bin());
        if (bin.isEmpty()) {
            return Check.fail("tmux.binary", "tmux.bin " + config.bin() + " not found" + (config.bin().contains("/")
                    ? "" : " on PATH"), "install tmux 3.2 or newer (apt-get install tmux) or set tmux.bin to its path");
        }
        try {
            Programs.Result r = programs.run(List.of(bin.get().toString(), "-V"));
            Matcher m = VERSION.matcher(r.output());
            if (r.exit() != 0 || !m.find()) {
                return Check.warn("tmux.binary", bin.get() + " -V said \"" + r.output() + "\"",
                        "make tmux.bin a tmux 3.2 or newer");
            }
            int major = Integer.parseInt(m.group(1));
            int minor = Integer.parseInt(m.group(2));
            if (major < MINIMUM[0] || major == MINIMUM[0] && minor < MINIMUM[1]) {
                return Check.fail("tmux.binary", r.output() + " at " + bin.get() + " is older than 3.2",
                        "upgrade tmux to 3.2 or newer (agentd's console needs control mode's pause-after)");
            }
            return Check.ok("tmux.binary", r.output() + " at " + bin.get());
        } catch (IOException e) {
            return Check.fail("tmux.binary", "cannot run " + bin.get() + ": " + e.getMessage(),
                    "make tmux.bin a working tmux 3.2 or newer");
        }
    }

    /** The socket tmux uses without -S: $TMUX_TMPDIR (else /tmp)/tmux-UID/default. */
    Path defaultSocket() {
        String dir = host.env().getOrDefault("TMUX_TMPDIR", "");
        Path base = dir.isEmpty() ? host.tmpRoot() : Path.of(dir);
        return base.resolve("tmux-" + host.uid()).resolve("default");
    }

    Check server() {
        boolean configured = !config.socket().isEmpty();
        Path socket = configured ? Path.of(config.socket()) : defaultSocket();
        String where = socket + (configured ? " (tmux.socket)" : " (this user's default server)");
        try {
            // always -S: from inside tmux, tmux without it would ask $TMUX's server, which agentd does not see
            // and not listPanes(), which takes "no server" for "no panes", as the scanner must
            long panes = new Tmux(config.bin(), socket.toString()).run("list-panes", "-a", "-F", "#{pane_id}")
                    .lines().filter(l -> !l.isBlank()).count();
            return Check.ok("tmux.server", panes + (panes == 1 ? " pane" : " panes") + " on " + where);
        } catch (RuntimeException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return Check.fail("tmux.server", "no tmux server answers at " + where + ": " + why,
                    String.join("; ", hints(socket, configured)));
        }
    }

    private List<String> hints(Path socket, boolean configured) {
        List<String> fixes = new ArrayList<>();
        if (privateTmp()) {
            fixes.add("agentd sees a private /tmp (systemd PrivateTmp=yes), so it cannot see the user's tmux socket: "
                    + "remove PrivateTmp from the unit (systemd/agentd@.service sets PrivateTmp=false) and restart it");
        }
        String inside = host.env().getOrDefault("TMUX", "");
        if (!inside.isEmpty()) {
            Path mine = Path.of(inside.split(",", 2)[0]);
            if (!mine.equals(socket)) {
                fixes.add("you are inside the tmux server at " + mine + ", not the one agentd watches: set tmux.socket: "
                        + mine + (configured ? "" : " (or start tmux without -L/-S/TMUX_TMPDIR so it uses "
                        + socket + ")"));
            }
        }
        others().ifPresent(fixes::add);
        if (!configured && host.env().containsKey("TMUX_TMPDIR")) {
            fixes.add("TMUX_TMPDIR=" + host.env().get("TMUX_TMPDIR") + " makes tmux look there: give agentd and "
                    + "your shells the same TMUX_TMPDIR (agentd.env) or unset it");
        }
        if (fixes.isEmpty()) {
            fixes.add(configured ? "start tmux on that socket (tmux -S " + socket + " new -d) or set tmux.socket to "
                    + "the one your tmux uses (tmux display -p '#{socket_path}' inside it)"
                    : "start a tmux server as " + host.user() + " (tmux new -d); agentd watches this user's default "
                    + "server");
        }
        return fixes;
    }

    /** A /tmp mounted from systemd's private area: mountinfo's root of the /tmp mount names systemd-private. */
    private boolean privateTmp() {
        try {
            for (String line : Files.readAllLines(host.mountinfo())) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].equals("/tmp") && f[3].contains("systemd-private")) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no mountinfo (not Linux, a test): no hint
        }
        return false;
    }

    /** tmux servers of other users under the tmp root: agentd must run as the user whose panes it should see. */
    private Optional<String> others() {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(host.tmpRoot(), "tmux-*")) {
            for (Path d : dirs) {
                if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long uid = ((Number) Files.getAttribute(d, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
                if (uid != host.uid() && Files.exists(d.resolve("default"), LinkOption.NOFOLLOW_LINKS)) {
                    found.add(Files.getOwner(d, LinkOption.NOFOLLOW_LINKS).getName() + " (uid " + uid + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("a tmux server runs for " + String.join(", ", found) + " but agentd runs as " + host.user()
                + " (uid " + host.uid() + "): run agentd as that user (systemctl enable --now agentd@USER) — it can "
                + "only see its own user's tmux");
    }
}
