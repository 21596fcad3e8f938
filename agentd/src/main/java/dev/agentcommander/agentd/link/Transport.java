package dev.agentcommander.agentd.link;

import java.net.URI;

/**
 * The seam between {@link Link} and the network: one text-frame connection at a time. The real one is agentd's own
 * WebSocket client ({@link SocketTransport}); tests use an in-memory one to drive the handshake and acks.
 */
public interface Transport {
    /**
     * Opens a connection; frames and the close arrive at {@code listener}.
     *
     * @throws Unauthorized when the server refuses the token at the upgrade; any other Exception when it cannot
     */
    Connection connect(URI uri, String token, Listener listener) throws Exception;

    interface Connection {
        /** Sends one text frame and waits until it is handed to the socket. */
        void send(String text) throws Exception;

        void close(int code, String reason);
    }

    /** The control plane refused this host's credentials; retrying soon will not help (no other failure is). */
    final class Unauthorized extends RuntimeException {
        public Unauthorized(String message, Throwable cause) {
            super(message, cause);
        }
    }

    interface Listener {
        void onText(String text);

        /** The peer closed (code, reason) or the connection failed (code -1, the error's message). */
        void onClosed(int code, String reason);
    }
}
