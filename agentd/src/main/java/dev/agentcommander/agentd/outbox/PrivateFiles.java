package dev.agentcommander.agentd.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * agentd's state is for its own user only: the outbox holds console bytes, prompts and tool input, and the hook
 * socket answers approvals. Directories become 0700 and files lose every group/other bit by an explicit chmod
 * after they exist, so the result does not depend on the umask a shell or service manager handed agentd. A
 * directory another user owns is refused rather than trusted: its owner could swap what agentd reads or binds.
 */
public final class PrivateFiles {
    private static final System.Logger LOG = System.getLogger(PrivateFiles.class.getName());
    public static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> SHARED = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} (parents as the umask says, the directory itself 0700) or takes the existing one, makes
     * it 0700 and strips group/other bits from everything below it (symbolic links are left alone, never followed),
     * so state an older agentd left 0755/0644 is closed at the next start.
     *
     * @param key the config key that names the directory, for the error
     * @throws IllegalStateException naming {@code key} when the directory belongs to another user or cannot be
     *                               made private
     */
    public static void secureDirectoryTree(Path dir, String key) {
        try {
            Files.createDirectories(dir);
            requireOwn(dir, key);
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    if (!d.equals(dir) && !ownedByMe(d)) {
                        LOG.log(Level.WARNING, key + ": " + d + " belongs to another user; left as it is");
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    tighten(d, DIR);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    if (!attrs.isSymbolicLink() && ownedByMe(f)) {
                        tighten(f, null);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    LOG.log(Level.WARNING, key + ": cannot check " + f + ": " + e.getMessage());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(key + ": cannot make " + dir + " private: " + e.getMessage(), e);
        }
    }

    /**
     * The directory a socket or secret lives in: created 0700 when missing; an existing one must be ours and open
     * to nobody else. Unlike {@link #secureDirectoryTree} it is not changed: a directory someone chose for this
     * and left open says the setup is not what they think, which is an error to report, not to paper over.
     */
    public static void requirePrivateDirectory(Path dir, String key) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, DIR);
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException(key + ": " + dir + " is not a directory");
            }
            requireOwn(dir, key);
            Set<PosixFilePermission> open = shared(dir);
            if (!open.isEmpty()) {
                throw new IllegalStateException(key + ": " + dir + " is open to group or others ("
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))
                        + "); only agentd's user may enter it: chmod 700 " + dir + " or choose another directory");
            }
        } catch (IOException e) {
            throw new IllegalStateException(key + ": cannot use " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Strips group/other bits from one file or directory agentd just made (a directory gets exactly 0700). */
    public static void makePrivate(Path path) {
        try {
            tighten(path, Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? DIR : null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + path + " private", e);
        }
    }

    /**
     * A warning for a secret file group or others can read (empty when it is private, missing or unreadable).
     * Readable by others is always wrong; readable by a group is fine only if that group is agentd's users alone,
     * which the message says.
     */
    public static Optional<String> exposure(Path secret, String key) {
        try {
            if (!Files.isRegularFile(secret)) {
                return Optional.empty();
            }
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(secret);
            String mode = PosixFilePermissions.toString(p);
            if (p.contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.of(key + ": " + secret + " is readable by every local user (" + mode
                        + "); whoever reads the host token can act as this host: chmod 600 " + secret);
            }
            if (p.contains(PosixFilePermission.GROUP_READ)) {
                return Optional.of(key + ": " + secret + " is readable by its group (" + mode + "); fine only if"
                        + " that group is agentd's users alone, else chmod 600 " + secret);
            }
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Group and other permission bits of {@code path} (not following a link). */
    public static Set<PosixFilePermission> shared(Path path) throws IOException {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        p.addAll(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        p.retainAll(SHARED);
        return p;
    }

    /** The uid this process runs as (Linux: the owner of {@code /proc/self}). */
    public static int myUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot tell this process's uid: " + e.getMessage(), e);
        }
    }

    /** The uid owning {@code path} (not following a link). */
    public static int ownerUid(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean ownedByMe(Path p) throws IOException {
        return ownerUid(p) == myUid();
    }

    private static void requireOwn(Path dir, String key) throws IOException {
        int owner = ownerUid(dir);
        int me = myUid();
        if (owner != me) {
            throw new IllegalStateException(key + ": " + dir + " belongs to uid " + owner + ", not agentd's uid "
                    + me + "; its owner could change what agentd keeps there");
        }
    }

    /** {@code exact} for directories; for files, the current bits minus group/other (owner bits kept). */
    private static void tighten(Path p, Set<PosixFilePermission> exact) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> want = EnumSet.noneOf(PosixFilePermission.class);
        if (exact != null) {
            want.addAll(exact);
        } else {
            want.addAll(now);
            want.removeAll(SHARED);
        }
        if (!want.equals(now)) {
            Files.setPosixFilePermissions(p, want);
        }
    }
}
