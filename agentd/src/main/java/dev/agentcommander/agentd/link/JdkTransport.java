package dev.agentcommander.agentd.link;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The link over {@code java.net.http.WebSocket}: in the JDK already, so agentd needs no web framework and keeps
 * its memory small. A refused upgrade with HTTP 401/403 is thrown as {@link Transport.Unauthorized}.
 */
public final class JdkTransport implements Transport {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    @Override
    public Connection connect(URI uri, String token, Listener listener) throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        WebSocket.Listener l = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    listener.onText(text);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                if (closed.compareAndSet(false, true)) {
                    listener.onClosed(code, reason);
                }
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                if (closed.compareAndSet(false, true)) {
                    listener.onClosed(-1, String.valueOf(error.getMessage()));
                }
            }
        };
        WebSocket ws;
        try {
            ws = client.newWebSocketBuilder().header("Authorization", "Bearer " + token).connectTimeout(TIMEOUT)
                    .buildAsync(uri, l).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h
                    && (h.getResponse().statusCode() == 401 || h.getResponse().statusCode() == 403)) {
                throw new Unauthorized("unauthorized: HTTP " + h.getResponse().statusCode(), h);
            }
            throw e.getCause() instanceof Exception c ? c : e;
        }
        return new Connection() {
            @Override
            public void send(String text) throws Exception {
                CompletableFuture<WebSocket> f = ws.sendText(text, true);
                f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }

            @Override
            public void close(int code, String reason) {
                try {
                    ws.sendClose(code, reason).get(2, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // closing anyway
                }
                ws.abort();
            }
        };
    }
}
