package dev.agentcommander.agentd.systemd;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The service manager's notification socket ({@code $NOTIFY_SOCKET}): a Unix <em>datagram</em> socket, which the JDK
 * cannot speak (its Unix-domain channels are stream only), so this goes to libc through JNA: one
 * {@code socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC)} kept open and one {@code sendto} per message, as libsystemd's
 * {@code sd_notify} does. A name starting with {@code @} is in the abstract namespace (a leading NUL, no trailing
 * one). Linux only, like systemd.
 */
public final class NotifySocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct sockaddr_un.sun_path) on Linux. */
    static final int SUN_PATH = 108;

    /** The three calls used, bound to libc. */
    public interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final LibC libc;
    private final byte[] address;
    private final String name;
    private int fd;

    private NotifySocket(LibC libc, byte[] address, String name, int fd) {
        this.libc = libc;
        this.address = address;
        this.name = name;
        this.fd = fd;
    }

    /**
     * Opens a datagram socket for sending to {@code name} (a path, or {@code @abstract}).
     *
     * @throws IllegalArgumentException when the name cannot be a Unix socket address
     * @throws IllegalStateException when libc refuses the socket
     */
    public static NotifySocket open(String name) {
        byte[] address = address(name);
        LibC libc;
        try {
            libc = Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) { // JNA's stub could not be unpacked (jna.tmpdir) or libc not found
            throw new IllegalStateException("NOTIFY_SOCKET: cannot reach libc through JNA: " + e.getMessage(), e);
        }
        try {
            return new NotifySocket(libc, address, name, libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        } catch (LastErrorException e) {
            throw new IllegalStateException("NOTIFY_SOCKET: socket(AF_UNIX, SOCK_DGRAM): errno " + e.getErrorCode(), e);
        }
    }

    /** {@code struct sockaddr_un} for {@code name}, exactly as long as the address length passed to sendto. */
    static byte[] address(String name) {
        boolean abstractName = name.startsWith("@");
        if (!abstractName && !name.startsWith("/")) {
            throw new IllegalArgumentException("NOTIFY_SOCKET: neither an absolute path nor @abstract: " + name);
        }
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        if (abstractName) {
            path[0] = 0; // '@' is one byte in UTF-8
        }
        int pathLength = abstractName ? path.length : path.length + 1; // a path keeps its terminating NUL
        if (path.length < 2 || pathLength > SUN_PATH) {
            throw new IllegalArgumentException("NOTIFY_SOCKET: a Unix socket address of 1 to " + (SUN_PATH - 1)
                    + " bytes, not " + name);
        }
        ByteBuffer b = ByteBuffer.allocate(2 + pathLength).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX).put(path);
        return b.array(); // the NUL of a path is the buffer's last, zeroed byte
    }

    /** Sends one datagram, e.g. {@code "READY=1\nSTATUS=…"}. @throws IllegalStateException when it cannot */
    public synchronized void send(String state) {
        if (fd < 0) {
            throw new IllegalStateException("NOTIFY_SOCKET: closed");
        }
        byte[] data = state.getBytes(StandardCharsets.UTF_8);
        try {
            libc.sendto(fd, data, data.length, MSG_NOSIGNAL, address, address.length);
        } catch (LastErrorException e) {
            throw new IllegalStateException("NOTIFY_SOCKET " + name + ": sendto failed, errno " + e.getErrorCode(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            try {
                libc.close(fd);
            } catch (LastErrorException ignored) {
                // nothing to do about it
            }
            fd = -1;
        }
    }
}
