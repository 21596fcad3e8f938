package dev.agentcommander.agentd.doctor;

import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.hooks.HookSocket;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * agentd's state directory (ownership, writable, room for the outbox's budget) and its hook socket. A state dir that
 * another user owns is the classic result of starting agentd once with sudo or as the wrong unit instance; agentd
 * refuses it at start, so the doctor fails it too.
 */
final class StateChecks {
    /** Below this much free space the outbox cannot hold even a short outage. */
    static final long MIN_FREE = 64L << 20;

    private final Config config;
    private final Doctor.Host host;

    StateChecks(Config config, Doctor.Host host) {
        this.config = config;
        this.host = host;
    }

    Check stateDir() {
        Path dir = config.storage().stateDir();
        String chown = "sudo chown -R " + host.user() + ": " + dir + " (or set storage.state_dir to a directory of "
                + host.user() + "'s)";
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = existingAncestor(dir);
            if (parent != null && canWrite(parent)) {
                return Check.ok("state_dir", dir + " does not exist yet; agentd creates it (0700) at start");
            }
            return Check.fail("state_dir", dir + " does not exist and " + parent + " is not writable by "
                    + host.user(), "sudo install -d -o " + host.user() + " -m 700 " + dir + " (the systemd unit's "
                    + "StateDirectory= does this) or set storage.state_dir");
        }
        if (!Files.isDirectory(dir)) {
            return Check.fail("state_dir", dir + " is not a directory", "remove it or set storage.state_dir");
        }
        try {
            long uid = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
            if (uid != host.uid()) {
                return Check.fail("state_dir", dir + " belongs to " + Files.getOwner(dir).getName() + " (uid " + uid
                        + "), but agentd runs as " + host.user() + " (uid " + host.uid() + ") and refuses it", chown);
            }
        } catch (IOException | RuntimeException e) {
            return Check.fail("state_dir", "cannot read the owner of " + dir + ": " + e.getMessage(), chown);
        }
        if (!canWrite(dir)) {
            return Check.fail("state_dir", "cannot create a file in " + dir, "chmod 700 " + dir + " (agentd's user "
                    + "needs to write there), or " + chown);
        }
        return Check.ok("state_dir", dir + " is " + host.user() + "'s and writable");
    }

    Check diskBudget() {
        Path dir = config.storage().stateDir();
        Path existing = existingAncestor(dir);
        long budget = config.storage().outboxMaxBytes();
        try {
            FileStore store = Files.getFileStore(existing);
            long free = store.getUsableSpace();
            long used = size(dir.resolve("outbox"));
            String seen = mib(free) + " free on " + store.name() + "; the outbox uses " + mib(used) + " of its "
                    + mib(budget) + " budget (storage.outbox_max_bytes)";
            if (free < MIN_FREE) {
                return Check.fail("state_dir.disk", seen, "free space on that disk or move storage.state_dir: agentd"
                        + " keeps everything unsent there while the control plane is unreachable");
            }
            if (free < budget - used) {
                return Check.warn("state_dir.disk", seen, "free space, or lower storage.outbox_max_bytes below "
                        + mib(free) + " so a long outage drops console output in order rather than filling the disk");
            }
            return Check.ok("state_dir.disk", seen);
        } catch (IOException | RuntimeException e) {
            return Check.warn("state_dir.disk", "cannot measure the disk of " + dir + ": " + e.getMessage(), "check "
                    + "that " + existing + " is on a local, mounted file system");
        }
    }

    Check hookSocket() {
        Path socket = config.hooks().socket();
        if (HookSocket.serving(socket)) {
            return Check.ok("hooks.socket", "agentd answers on " + socket);
        }
        String start = "start agentd (systemctl enable --now agentd@" + host.user() + ", or ./commander agentd) with "
                + "this config";
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return Check.warn("hooks.socket", "nothing listens on " + socket + ": agentd is not running with this "
                    + "config, so Claude Code shows its own permission prompts", start);
        }
        if (isSocket(socket)) {
            return Check.warn("hooks.socket", socket + " is left by an agentd that stopped; nothing answers on it",
                    start + " (it replaces the stale socket)");
        }
        return Check.fail("hooks.socket", socket + " exists and is not a socket; agentd will refuse to start",
                "remove " + socket + " or set hooks.socket");
    }

    private static boolean isSocket(Path p) {
        try {
            int mode = ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
            return (mode & 0170000) == 0140000;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Path existingAncestor(Path p) {
        Path a = p.toAbsolutePath();
        while (a != null && !Files.exists(a)) {
            a = a.getParent();
        }
        return a;
    }

    /** Whether a file can really be made there (as root, permission bits alone would say yes to everything). */
    private static boolean canWrite(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, ".agentd-doctor-", ".tmp");
            Files.delete(probe);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long size(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static String mib(long bytes) {
        return bytes >= 10L << 30 ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
    }
}
