package dev.agentcommander.agentd.testkit;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The service manager's end of {@code NOTIFY_SOCKET} for tests: a Unix datagram socket bound through libc (the JDK
 * has none), a path or an {@code @abstract} name, that collects every datagram it receives. What systemd does with
 * them is not imitated; the test reads them.
 */
public final class NotifyReceiver implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int EAGAIN = 11;

    /** The libc calls a receiving socket needs. */
    public interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int addrLen) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

        long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final LibC libc = Native.load("c", LibC.class);
    private final String name;
    private final int fd;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    /** Binds {@code name}: an absolute path (which must not exist yet) or {@code @name} in the abstract namespace. */
    public NotifyReceiver(String name) {
        this.name = name;
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name.startsWith("@");
        if (abstractName) {
            path[0] = 0;
        }
        ByteBuffer addr = ByteBuffer.allocate(2 + path.length + (abstractName ? 0 : 1)).order(ByteOrder.nativeOrder());
        addr.putShort((short) AF_UNIX).put(path);
        fd = libc.socket(AF_UNIX, SOCK_DGRAM, 0);
        libc.bind(fd, addr.array(), addr.capacity());
        ByteBuffer timeout = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(0).putLong(200_000);
        libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout.array(), 16); // so close() is seen within 200 ms
        reader = Thread.ofPlatform().daemon().name("notify-receiver").start(this::read);
    }

    /** What to put in NOTIFY_SOCKET. */
    public String name() {
        return name;
    }

    private void read() {
        byte[] buf = new byte[4096];
        while (!closed) {
            try {
                long n = libc.recv(fd, buf, buf.length, 0);
                if (n > 0) {
                    String s = new String(buf, 0, (int) n, StandardCharsets.UTF_8);
                    synchronized (all) {
                        all.add(s);
                    }
                    received.add(s);
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EAGAIN) {
                    return;
                }
            }
        }
    }

    /** The next datagram, or null after {@code timeout}. */
    public String next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next datagram that has the line {@code line} (e.g. {@code READY=1}), skipping others; null after timeout. */
    public String nextWith(String line, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String s = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
            if (s == null || s.lines().anyMatch(line::equals)) {
                return s;
            }
        }
    }

    /** Every datagram so far, in order of arrival. */
    public List<String> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        reader.join(Duration.ofSeconds(2));
        libc.close(fd);
    }
}
