package dev.agentcommander.controlplane.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw WebSocket client (the JDK's) for both sockets of the control plane, agent and UI: it records every text
 * frame as JSON and the close code and reason, and sends text whole or in fragments.
 */
public final class WsClient implements AutoCloseable {
    /** How the server closed the socket ({@code code} -1: the connection failed). */
    public record Close(int code, String reason) {
    }

    /** Every frame received and not yet taken by {@link #next}, oldest first. */
    public final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    public final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket ws;

    /**
     * The field {@link #connectStamped} adds to each received object: when its last fragment arrived (epoch µs), so
     * a latency benchmark measures the socket, not how long its own loop took to get to the frame.
     */
    public static final String RECEIVED_AT = "_received_at_us";

    private final boolean stamp;

    /** While set, nothing more is read from the socket (no demand): a client that stops reading. */
    private volatile boolean held;
    private volatile boolean owed;

    private WsClient(String url, String bearer, boolean hold) {
        this(url, bearer, hold, false);
    }

    private WsClient(String url, String bearer, boolean hold, boolean stamp) {
        this(url, bearer == null ? java.util.Map.of() : java.util.Map.of("Authorization", "Bearer " + bearer), hold,
                stamp);
    }

    private WsClient(String url, java.util.Map<String, String> headers, boolean hold, boolean stamp) {
        this.held = hold;
        this.stamp = stamp;
        // a stamping client reads, stamps and queues on the thread that read the socket: with the default executor
        // every frame went through a hand-off to another thread before its stamp, latency of the measuring client
        HttpClient http = stamp ? HttpClient.newBuilder().executor(Runnable::run).build() : HttpClient.newHttpClient();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        StringBuilder buf = new StringBuilder();
        ws = b.buildAsync(URI.create(url), new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket w) {
                demand(w);
            }

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                buf.append(data);
                if (last) {
                    long at = stamp ? epochMicros() : 0; // before the parse: the socket's time, not ours
                    try {
                        JsonNode node = Json.mapper().readTree(buf.toString());
                        if (stamp && node instanceof ObjectNode o) {
                            o.put(RECEIVED_AT, at);
                        }
                        received.add(node);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    buf.setLength(0);
                }
                demand(w);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                closed.complete(new Close(code, reason));
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete(new Close(-1, String.valueOf(error)));
            }
        }).join();
    }

    /** Connects to {@code url}, with {@code Authorization: Bearer} when {@code bearer} is not null. */
    public static WsClient connect(String url, String bearer) {
        return new WsClient(url, bearer, false);
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Connects like {@link #connect}; each received object carries {@link #RECEIVED_AT}. */
    public static WsClient connectStamped(String url, String bearer) {
        return new WsClient(url, bearer, false, true);
    }

    /** Connects like {@link #connect} but reads nothing until {@link #resume()}: TCP fills, the server must cope. */
    public static WsClient connectHeld(String url, String bearer) {
        return new WsClient(url, bearer, true);
    }

    private synchronized void demand(WebSocket w) {
        if (held) {
            owed = true;
        } else {
            w.request(1);
        }
    }

    /** Starts reading again (a held client). */
    public synchronized void resume() {
        held = false;
        if (owed) {
            owed = false;
            ws.request(1);
        }
    }

    /** Connects to {@code url} with these upgrade headers (a browser's Cookie and Origin). */
    public static WsClient connectWith(String url, java.util.Map<String, String> headers) {
        return new WsClient(url, headers, false, false);
    }

    public void send(String text) {
        ws.sendText(text, true).join();
    }

    /** Sends {@code text} as several WebSocket fragments of {@code size} characters. */
    public void sendFragmented(String text, int size) {
        for (int i = 0; i < text.length(); i += size) {
            boolean last = i + size >= text.length();
            ws.sendText(text.substring(i, Math.min(text.length(), i + size)), last).join();
        }
    }

    /** Sends if the socket still takes frames (a refused socket may already be closing). */
    public void trySend(String text) {
        try {
            ws.sendText(text, true).join();
        } catch (RuntimeException ignored) {
            // closed by the server: what the caller is testing
        }
    }

    /** The next received frame matching {@code p} (others are skipped), or an AssertionError after 20 s. */
    public JsonNode next(Predicate<JsonNode> p) {
        return next("matching frame", Await.TIMEOUT, p);
    }

    /** The next received frame matching {@code p} (others are skipped), or an AssertionError naming {@code what}. */
    public JsonNode next(String what, Duration bound, Predicate<JsonNode> p) {
        Duration within = bound.compareTo(Await.TIMEOUT) < 0 ? Await.TIMEOUT : bound; // see Await.TIMEOUT
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonNode n = received.poll(100, TimeUnit.MILLISECONDS);
                if (n != null && p.test(n)) {
                    return n;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no " + what + " within " + within.toMillis() + " ms");
    }

    public JsonNode nextOfType(String type) {
        return next(n -> type.equals(n.path("type").asText()));
    }

    /** Every frame received up to and including the first matching {@code last} (none skipped), or an AssertionError. */
    public List<JsonNode> until(Predicate<JsonNode> last) {
        List<JsonNode> out = new ArrayList<>();
        next(n -> {
            out.add(n);
            return last.test(n);
        });
        return out;
    }

    /** The next {@code n} frames received (none skipped), or an AssertionError. */
    public List<JsonNode> next(int n) {
        List<JsonNode> out = new ArrayList<>();
        if (n > 0) {
            next(f -> {
                out.add(f);
                return out.size() == n;
            });
        }
        return out;
    }

    /**
     * UI sockets: sends a {@code ping} and returns every frame received before its {@code pong}. The server answers
     * in order, so whatever it queued for this socket before it read the ping is in the list: the marker for "and
     * nothing else came".
     */
    public List<JsonNode> throughPong() {
        send("{\"type\":\"ping\"}");
        List<JsonNode> out = until(n -> n.path("type").asText().equals("pong"));
        return out.subList(0, out.size() - 1);
    }

    public Close awaitClose() {
        try {
            return closed.get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("socket did not close", e);
        }
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(1000, "bye");
        }
        ws.abort();
    }
}
