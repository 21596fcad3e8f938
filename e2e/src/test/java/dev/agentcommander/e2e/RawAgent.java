package dev.agentcommander.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A hand-driven agent connection, for sending exactly the frames a test wants (bad ones included). */
final class RawAgent implements AutoCloseable {
    record Closed(int code, String reason) {
    }

    final LinkedBlockingQueue<String> received;
    final CompletableFuture<Closed> closed;
    private final WebSocket ws;

    private RawAgent(WebSocket ws, LinkedBlockingQueue<String> received, CompletableFuture<Closed> closed) {
        this.ws = ws;
        this.received = received;
        this.closed = closed;
    }

    static RawAgent connect(String baseUrl, String token) throws Exception {
        CompletableFuture<Closed> closed = new CompletableFuture<>();
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    received.add(partial.toString());
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                closed.complete(new Closed(code, reason));
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete(new Closed(-1, String.valueOf(error)));
            }
        };
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        WebSocket ws = b.buildAsync(URI.create(baseUrl.replace("http://", "ws://") + "/v1/agent"), listener)
                .get(10, TimeUnit.SECONDS);
        return new RawAgent(ws, received, closed);
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    /** The next frame whose text contains {@code needle}, or fails after the timeout. */
    String await(String needle, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String s = received.poll(50, TimeUnit.MILLISECONDS);
            if (s != null && s.contains(needle)) {
                return s;
            }
        }
        throw new AssertionError("no frame containing " + needle + " within " + timeout);
    }

    @Override
    public void close() {
        ws.abort();
    }
}
