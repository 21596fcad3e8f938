package dev.agentcommander.controlplane.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A webhook receiver, an ntfy server and a Slack incoming webhook, served by the test on 127.0.0.1:0 and
 * recording every request. {@link #down(boolean)} makes all three answer 503, as a receiver that is away would.
 */
final class FakeReceivers implements AutoCloseable {
    /** One request as received, and what it was answered. */
    record Request(String channel, String method, String path, Map<String, List<String>> headers, String body,
                   int status) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    static final String SECRET = "webhook-secret-for-tests";
    final List<Request> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private volatile boolean down;

    FakeReceivers() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hook", ex -> answer("webhook", ex));
        server.createContext("/ntfy/", ex -> answer("ntfy", ex));
        server.createContext("/slack/", ex -> answer("slack", ex));
        server.start();
    }

    private void answer(String channel, HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status = down ? 503 : 200;
        received.add(new Request(channel, ex.getRequestMethod(), ex.getRequestURI().getPath(),
                Map.copyOf(ex.getRequestHeaders()), body, status));
        byte[] reply = "ok".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, reply.length);
        ex.getResponseBody().write(reply);
        ex.close();
    }

    void down(boolean d) {
        down = d;
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** All three channels at this server, signed with {@link #SECRET}, with {@code delay}. */
    NotifyConfig config(Duration delay, Duration waiting) {
        return new NotifyConfig(URI.create(base() + "/hook"), SECRET, URI.create(base() + "/ntfy/agents"), "tk_test",
                URI.create(base() + "/slack/T000/B000/XXXX"), delay, waiting);
    }

    /** Requests answered 200 on {@code channel} whose body or path mentions {@code text}. */
    List<Request> ok(String channel, String text) {
        return received.stream().filter(r -> r.channel().equals(channel) && r.status() == 200
                && (r.body().contains(text) || r.path().contains(text))).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
