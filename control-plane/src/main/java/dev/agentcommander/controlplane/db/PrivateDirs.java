package dev.agentcommander.controlplane.db;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories and files that hold secrets, the database or code this process executes. Another local user who can
 * write into one of them can swap {@code postgres} for a wrapper that runs as us, or read the database password, so
 * they are made 0700 (files 0600) by this process itself, and one that another user owns or may write is refused
 * rather than repaired: what is inside can no longer be trusted.
 */
public final class PrivateDirs {
    private static final System.Logger LOG = System.getLogger(PrivateDirs.class.getName());
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private PrivateDirs() {
    }

    /** The uid this process runs as. */
    public static long uid() {
        return new UnixSystem().getUid();
    }

    /**
     * Creates {@code dir} with mode 0700 (its parents as usual), or checks an existing one: owned by another uid or
     * writable by group/others → refused; readable by them (an older version made it 0755) → tightened to 0700.
     * {@code what} names the directory in errors (e.g. {@code DATA_DIR}).
     */
    public static Path ensure(Path dir, String what) {
        Path d = dir.toAbsolutePath();
        try {
            if (!Files.isDirectory(d)) {
                Files.createDirectories(d.getParent());
                try {
                    Files.createDirectory(d, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (FileAlreadyExistsException e) {
                    // made by a concurrent start: checked below like any existing directory
                }
            }
            requireTrusted(d, what);
            PosixFileAttributes a = Files.readAttributes(d, PosixFileAttributes.class);
            if (!a.permissions().equals(OWNER_ONLY)) {
                LOG.log(System.Logger.Level.INFO, what + " " + d + " was " + PosixFilePermissions.toString(
                        a.permissions()) + "; made rwx------ (only this user may enter it)");
                Files.setPosixFilePermissions(d, OWNER_ONLY);
            }
            return d;
        } catch (IOException e) {
            throw new StartupException(what + " " + d + ": cannot create or check it (" + e.getMessage() + ")", e);
        }
    }

    /** Refuses {@code p} when another uid owns it or group/others may write it. */
    static void requireTrusted(Path p, String what) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
            Object owner = Files.getAttribute(p, "unix:uid");
            long ownerUid = ((Number) owner).longValue();
            if (ownerUid != uid()) {
                throw new StartupException(what + " " + p + " is owned by uid " + ownerUid + " (" + a.owner().getName()
                        + "), not by this user (uid " + uid() + "); refusing to use it. Remove it or point "
                        + "the setting at a directory of your own");
            }
            if (a.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
                throw new StartupException(what + " " + p + " is writable by group or others ("
                        + PosixFilePermissions.toString(a.permissions()) + "): another user could have replaced "
                        + "what is in it; refusing to use it. Remove it (it is recreated at the next start)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + " " + p, e);
        }
    }

    /** Writes {@code content} to {@code file} with mode 0600, atomically (a crash never leaves half a secret). */
    static void writePrivate(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
