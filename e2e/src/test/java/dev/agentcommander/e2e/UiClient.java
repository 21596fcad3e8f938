package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A dashboard's view of {@code /v1/ui}: subscribes, and collects what the control plane pushes. */
final class UiClient implements AutoCloseable {
    final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final WebSocket ws;

    UiClient(String baseUrl, String jwt) throws Exception {
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        received.add(Json.mapper().readTree(partial.toString()));
                    } catch (Exception e) {
                        received.add(Json.mapper().createObjectNode().put("type", "unparseable"));
                    }
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }
        };
        ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(baseUrl.replace("http://", "ws://") + "/v1/ui?token=" + jwt), listener)
                .get(10, TimeUnit.SECONDS);
    }

    void send(String json) throws Exception {
        ws.sendText(json, true).get(5, TimeUnit.SECONDS);
    }

    void subscribe(String sub, String topic, String filterJson) throws Exception {
        send("{\"type\":\"subscribe\",\"sub\":\"" + sub + "\",\"topic\":\"" + topic + "\",\"filter\":" + filterJson + "}");
    }

    void unsubscribe(String sub) throws Exception {
        send("{\"type\":\"unsubscribe\",\"sub\":\"" + sub + "\"}");
    }

    /** The next message matching {@code p}, skipping others; fails after the timeout. */
    JsonNode await(Duration timeout, String what, Predicate<JsonNode> p) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JsonNode m = received.poll(10, TimeUnit.MILLISECONDS);
            if (m != null && p.test(m)) {
                return m;
            }
        }
        throw new AssertionError("no UI message " + what + " within " + timeout);
    }

    static Predicate<JsonNode> type(String type) {
        return m -> type.equals(m.path("type").asText());
    }

    @Override
    public void close() {
        ws.abort();
    }
}
