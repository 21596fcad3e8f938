package dev.agentcommander.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test's own load balancer in front of several control-plane replicas: plain TCP (so WebSocket upgrades pass
 * as they are, nothing buffered), each new connection to the next backend in turn, skipping one that refuses —
 * what HAProxy in {@code mode tcp} with {@code balance roundrobin} and health by connect does, and no more.
 */
final class ReplicaBalancer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Integer> backends;
    private final AtomicInteger next;
    /** Open client connections by the backend port they were sent to. */
    private final ConcurrentHashMap<Integer, AtomicInteger> open = new ConcurrentHashMap<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** {@code first}: the index of the backend the first connection goes to. */
    ReplicaBalancer(List<Integer> backends, int first) throws IOException {
        this.backends = List.copyOf(backends);
        this.next = new AtomicInteger(first);
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        backends.forEach(b -> open.put(b, new AtomicInteger()));
        Thread.ofVirtual().name("balancer-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** How many client connections are open to backend {@code port} now. */
    int openTo(int port) {
        return open.get(port).get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().name("balancer-connect").start(() -> route(in));
        }
    }

    private void route(Socket in) {
        for (int tries = 0; tries < backends.size(); tries++) {
            int port = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            Socket out;
            try {
                out = new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (IOException refused) {
                continue; // a dead replica: the next one
            }
            sockets.add(in);
            sockets.add(out);
            AtomicInteger count = open.get(port);
            count.incrementAndGet();
            AtomicInteger ends = new AtomicInteger(2);
            Runnable closed = () -> {
                if (ends.decrementAndGet() == 0) {
                    count.decrementAndGet();
                }
            };
            Thread.ofVirtual().name("balancer-up").start(() -> pump(in, out, closed));
            Thread.ofVirtual().name("balancer-down").start(() -> pump(out, in, closed));
            return;
        }
        closeQuietly(in);
    }

    private static void pump(Socket from, Socket to, Runnable done) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            done.run();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(ReplicaBalancer::closeQuietly);
    }
}
