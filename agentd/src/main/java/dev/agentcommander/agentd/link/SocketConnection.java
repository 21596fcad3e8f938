package dev.agentcommander.agentd.link;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** One open connection: a reader thread delivering messages, sends on the caller's thread under a watchdog. */
final class SocketConnection implements Transport.Connection {
    private static final System.Logger LOG = System.getLogger(SocketConnection.class.getName());

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Transport.Listener listener;
    private final AtomicBoolean closed = new AtomicBoolean(); // the listener has been told
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition stateChanged = stateLock.newCondition();
    private long writeStarted; // nanoTime of the write in progress, 0 when none; guarded by stateLock
    private boolean closeSent; // guarded by writeLock
    private volatile boolean done; // the socket is closed
    private final Thread reader;
    private final Thread watchdog;
    private final SecureRandom random;
    private final int maxMessageBytes;
    private final Duration timeout;

    SocketConnection(Socket socket, InputStream in, OutputStream out, Transport.Listener listener,
                     SecureRandom random, int maxMessageBytes, Duration timeout) {
        this.random = random;
        this.maxMessageBytes = maxMessageBytes;
        this.timeout = timeout;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.listener = listener;
        this.reader = Thread.ofVirtual().name("agentd-link-reader").start(this::readLoop);
        this.watchdog = Thread.ofVirtual().name("agentd-link-send-watchdog").start(this::watch);
    }

    @Override
    public void send(String text) throws Exception {
        writeFrame(WsFrames.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        writeLock.lock();
        try {
            if (closeSent) {
                throw new IOException("the link is closing");
            }
            closeSent = opcode == WsFrames.CLOSE;
            markWrite(System.nanoTime() | 1);
            try {
                WsFrames.write(out, opcode, payload, random);
            } finally {
                markWrite(0);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void markWrite(long started) {
        stateLock.lock();
        try {
            writeStarted = started;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Parks until a write starts; a write still running after the timeout closes the socket (and fails). */
    private void watch() {
        stateLock.lock();
        try {
            while (!done) {
                if (writeStarted == 0) {
                    stateChanged.await();
                    continue;
                }
                long started = writeStarted;
                long left = timeout.toNanos() - (System.nanoTime() - started);
                if (left > 0) {
                    stateChanged.awaitNanos(left);
                } else if (writeStarted == started) {
                    stateLock.unlock();
                    try {
                        fail("a send blocked for more than " + timeout.toSeconds() + " s");
                    } finally {
                        stateLock.lock();
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            stateLock.unlock();
        }
    }

    private void readLoop() {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        boolean inText = false;
        boolean dropping = false; // the current message is past the size limit
        try {
            while (true) {
                WsFrames.Header h = WsFrames.readHeader(in);
                if (h.control()) {
                    byte[] p = WsFrames.readPayload(in, (int) h.length());
                    if (h.opcode() == WsFrames.PING) {
                        writeFrame(WsFrames.PONG, p);
                    } else if (h.opcode() == WsFrames.CLOSE) {
                        onServerClose(p);
                        return;
                    }
                    continue; // a pong: nothing to do
                }
                if (h.opcode() == WsFrames.CONTINUATION ? !inText : inText) {
                    throw new WsFrames.ProtocolError(1002, inText ? "a new message inside a fragmented one"
                            : "a continuation without a message");
                }
                if (h.opcode() == WsFrames.BINARY) {
                    throw new WsFrames.ProtocolError(1003, "binary message on a text-only link");
                }
                inText = !h.fin();
                if (dropping || message.size() + h.length() > maxMessageBytes) {
                    if (!dropping) {
                        LOG.log(System.Logger.Level.WARNING, "dropping a message from the control plane over "
                                + maxMessageBytes + " bytes");
                    }
                    WsFrames.skip(in, h.length());
                    message.reset();
                    dropping = !h.fin();
                    continue;
                }
                message.write(WsFrames.readPayload(in, (int) h.length()));
                if (h.fin()) {
                    String text = WsFrames.utf8(message.toByteArray(), message.size());
                    message.reset();
                    if (text.length() > 64 * 1024) {
                        message = new ByteArrayOutputStream(); // do not keep a large buffer while idle
                    }
                    listener.onText(text);
                }
            }
        } catch (WsFrames.ProtocolError e) {
            try {
                writeFrame(WsFrames.CLOSE, WsFrames.closePayload(e.code, e.getMessage()));
            } catch (IOException ignored) {
                // failing anyway
            }
            fail("protocol error from the control plane: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            fail(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void onServerClose(byte[] p) throws IOException {
        int code = 1005; // §7.1.5: no status code in the frame
        String reason = "";
        if (p.length == 1) {
            throw new WsFrames.ProtocolError(1002, "a close frame of one byte");
        }
        if (p.length >= 2) {
            code = ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
            if (!WsFrames.validCloseCode(code)) {
                throw new WsFrames.ProtocolError(1002, "close code " + code);
            }
            byte[] r = java.util.Arrays.copyOfRange(p, 2, p.length);
            reason = WsFrames.utf8(r, r.length);
        }
        try {
            writeFrame(WsFrames.CLOSE, p.length >= 2 ? WsFrames.closePayload(code, "") : new byte[0]);
        } catch (IOException ignored) {
            // we had sent ours already, or the socket is gone: either way it ends here
        }
        shutdown();
        if (closed.compareAndSet(false, true)) {
            listener.onClosed(code, reason);
        }
    }

    /** The connection failed: tell the listener (once) with code -1, as the JDK client's onError did. */
    private void fail(String why) {
        failure.compareAndSet(null, why); // the first cause wins: closing the socket makes the reader fail too
        shutdown();
        if (closed.compareAndSet(false, true)) {
            listener.onClosed(-1, failure.get());
        }
    }

    private void shutdown() {
        done = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed
        }
        stateLock.lock();
        try {
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Sends our close and waits up to 2 s for the server's before dropping the socket. */
    @Override
    public void close(int code, String reason) {
        try {
            // a send stuck on a peer that stopped reading holds the lock: then there is no close to send
            if (writeLock.tryLock(2, java.util.concurrent.TimeUnit.SECONDS)) {
                try {
                    writeFrame(WsFrames.CLOSE, WsFrames.closePayload(code, reason));
                } finally {
                    writeLock.unlock();
                }
                reader.join(Duration.ofSeconds(2));
            }
        } catch (IOException | InterruptedException ignored) {
            // closing anyway
        }
        shutdown();
        watchdog.interrupt();
        try {
            reader.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
