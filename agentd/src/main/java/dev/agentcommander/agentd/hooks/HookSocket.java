package dev.agentcommander.agentd.hooks;

import dev.agentcommander.agentd.outbox.PrivateFiles;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * {@code hooks.socket}: the Unix socket hook events arrive on. The file's directory is the permission boundary
 * (only agentd's user may enter it), so another local user can neither post to agentd nor, while agentd is down,
 * put a socket of their own where {@code agentd-hook} looks and answer a waiting approval; a web page cannot
 * reach a socket file at all. The socket file is 0600 besides.
 */
public final class HookSocket implements AutoCloseable {
    /** sun_path holds 108 bytes on Linux, the last for the terminating NUL. */
    public static final int MAX_PATH_BYTES = 107;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final ServerSocketChannel channel;
    private final Object fileKey;

    private HookSocket(Path path, ServerSocketChannel channel, Object fileKey) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    /** @throws IllegalArgumentException naming {@code hooks.socket} when the path cannot be a Unix socket */
    public static void checkPath(Path socket) {
        String text = socket.toString();
        if (!socket.isAbsolute()) {
            throw new IllegalArgumentException("hooks.socket: must be an absolute path (got " + text + ")");
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("hooks.socket: control characters in " + text.replaceAll("\\p{Cntrl}",
                    "?"));
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("hooks.socket: " + text + " is " + bytes + " bytes; a Unix socket path"
                    + " has at most " + MAX_PATH_BYTES + ": set hooks.socket (or storage.state_dir) to a shorter path");
        }
    }

    /**
     * Binds the socket: its directory is created 0700 or must already be private to agentd's user; a socket file
     * left by an agentd that died is removed, but only after nobody answered on it (a running agentd keeps its
     * socket, and this one does not start); any other file there is left alone and is an error.
     *
     * @throws IllegalStateException naming {@code hooks.socket} for each of these refusals
     */
    public static HookSocket bind(Path socket) throws IOException {
        checkPath(socket);
        PrivateFiles.requirePrivateDirectory(socket.getParent(), "hooks.socket");
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(socket)) {
                throw new IllegalStateException("hooks.socket: " + socket + " exists and is not a socket; not "
                        + "removing it");
            }
            if (answers(socket)) {
                throw new IllegalStateException("hooks.socket: another process (another agentd?) is serving "
                        + socket);
            }
            Files.delete(socket);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket), 64);
            Files.setPosixFilePermissions(socket, PrivateFiles.FILE);
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new HookSocket(socket, ch, key);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether something accepts connections on {@code socket} (a refused or missing socket does not). */
    static boolean answers(Path socket) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return c.isConnected();
        } catch (ConnectException e) {
            return false;
        }
    }

    /** Whether an agentd answers on {@code socket} now (for {@code agentd doctor}). */
    public static boolean serving(Path socket) {
        try {
            return isSocket(socket) && answers(socket);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static boolean isSocket(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT) == S_IFSOCK;
    }

    public Path path() {
        return path;
    }

    ServerSocketChannel channel() {
        return channel;
    }

    /** Stops listening and removes the socket file, unless it is no longer the one bound here. */
    @Override
    public void close() throws IOException {
        channel.close();
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (now != null && now.equals(fileKey)) {
                Files.delete(path);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        }
    }
}
