package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/** A dashboard's view of {@code /v1/ui} on the test kit's WebSocket client: subscribes, and awaits what is pushed. */
final class UiClient implements AutoCloseable {
    private final WsClient ws;
    /** Every message received and not yet taken by {@link #await}, oldest first. */
    final LinkedBlockingQueue<JsonNode> received;

    UiClient(String baseUrl, String jwt) {
        this(baseUrl, jwt, false);
    }

    /** {@code stamped}: each message carries when it arrived ({@link WsClient#RECEIVED_AT}), for latency benchmarks. */
    UiClient(String baseUrl, String jwt, boolean stamped) {
        String url = baseUrl.replace("http://", "ws://") + "/v1/ui?token=" + jwt;
        ws = stamped ? WsClient.connectStamped(url, null) : WsClient.connect(url, null);
        received = ws.received;
    }

    void send(String json) {
        ws.send(json);
    }

    void subscribe(String sub, String topic, String filterJson) {
        send("{\"type\":\"subscribe\",\"sub\":\"" + sub + "\",\"topic\":\"" + topic + "\",\"filter\":" + filterJson + "}");
    }

    void unsubscribe(String sub) {
        send("{\"type\":\"unsubscribe\",\"sub\":\"" + sub + "\"}");
    }

    /** The next message matching {@code p}, skipping others; fails after the timeout. */
    JsonNode await(Duration timeout, String what, Predicate<JsonNode> p) {
        return ws.next("UI message " + what, timeout, p);
    }

    static Predicate<JsonNode> type(String type) {
        return m -> type.equals(m.path("type").asText());
    }

    /** Whether the server closed the socket (with a close frame or without). */
    boolean closed() {
        return ws.closed.isDone();
    }

    @Override
    public void close() {
        ws.close();
    }
}
