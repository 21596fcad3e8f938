package dev.agentcommander.controlplane.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * {@code DATA_DIR/control-plane.lock}: held (an OS file lock, released by the kernel when the process dies, however
 * it dies) by the control plane that runs the embedded Postgres of this data directory, and holding its pid and,
 * once it listens, its URL. A second control plane on the same data directory reads them and stops with
 * "already running at URL (pid N)" before touching anything; a postmaster found running on the directory is an
 * orphan to stop only when this lock was free. The launcher reads the same lines to tell the user.
 */
public final class DataDirLock implements AutoCloseable {
    public static final String FILE = "control-plane.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code dataDir}, or throws "already running at URL (pid N)". */
    public static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new StartupException("cannot open " + file + ": " + e.getMessage(), e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            close(ch);
            throw new StartupException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        if (l == null) {
            close(ch);
            throw new StartupException(holder(file) + " on " + dataDir + "; stop it first, or set DATA_DIR to "
                    + "another directory");
        }
        DataDirLock d = new DataDirLock(ch, l);
        d.write("pid=" + ProcessHandle.current().pid() + "\n");
        return d;
    }

    /** Adds the URL the control plane listens on, for whoever finds the lock taken. */
    public void publish(String url) {
        write("pid=" + ProcessHandle.current().pid() + "\nurl=" + url + "\n");
    }

    /** The URL the last control plane on {@code dataDir} published, or null (none ran, or it is still starting). */
    public static String publishedUrl(Path dataDir) {
        try {
            for (String line : Files.readAllLines(dataDir.resolve(FILE), StandardCharsets.UTF_8)) {
                if (line.startsWith("url=")) {
                    return line.substring(4).trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** "already running at URL (pid N)", from what the holder wrote. */
    static String holder(Path file) {
        String pid = "?";
        String url = null;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("pid=")) {
                    pid = line.substring(4).trim();
                } else if (line.startsWith("url=")) {
                    url = line.substring(4).trim();
                }
            }
        } catch (IOException e) {
            // the lock is what counts; the lines are only for the message
        }
        return url == null ? "a control plane is already starting (pid " + pid + ")"
                : "already running at " + url + " (pid " + pid + ")";
    }

    private void write(String content) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
        } catch (IOException e) {
            throw new StartupException("cannot write " + FILE + ": " + e.getMessage(), e);
        }
    }

    /** Releases the lock; the file stays (deleting it would race with a control plane that just opened it). */
    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.truncate(0);
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the channel below releases the lock anyway
        }
        close(channel);
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do: the kernel drops the lock with the descriptor
        }
    }
}
