package dev.agentcommander.e2e.realclients;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentcommander.agentd.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * What the fake Anthropic and OpenAI servers share: a loopback HTTP server on an ephemeral port that records every
 * request whole (the test reads what the real client sent — a tool_result, an is_error) and answers model turns
 * from a script. An unscripted model call is answered with a harmless text turn and counted, so a test can insist
 * that the client asked exactly as often as scripted.
 *
 * @param <T> the turn type of the API
 */
abstract class FakeModelApi<T> implements AutoCloseable {
    private static final int MAX_BODY = 16 << 20;

    private final HttpServer server;
    private final List<Recorded> requests = new ArrayList<>();
    private final Deque<T> script = new ArrayDeque<>();
    private int unscripted;

    FakeModelApi() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1", e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::dispatch);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}, without a path. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Appends turns to the script; each model call takes the next one. */
    @SafeVarargs
    public final synchronized void then(T... turns) {
        script.addAll(List.of(turns));
    }

    public synchronized List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public synchronized int unscriptedCalls() {
        return unscripted;
    }

    public synchronized int turnsLeft() {
        return script.size();
    }

    /** Waits until {@code count} recorded requests match {@code which}; returns them in arrival order. */
    public List<Recorded> await(Predicate<Recorded> which, int count, Duration timeout) {
        return Await.value(count + " matching request(s) at " + origin(), timeout, () -> {
            List<Recorded> hits = requests().stream().filter(which).toList();
            return hits.size() >= count ? hits : null;
        }, () -> requests().stream().map(r -> r.method() + " " + r.path()).toList().toString());
    }

    /** The next scripted turn, or null (then the caller answers a filler turn). */
    protected synchronized T nextTurn() {
        T t = script.pollFirst();
        if (t == null) {
            unscripted++;
        }
        return t;
    }

    /** Answers one recorded request. */
    protected abstract void answer(Recorded request, HttpExchange exchange) throws IOException;

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY);
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
            Recorded r = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    Map.copyOf(headers), new String(body, StandardCharsets.UTF_8));
            synchronized (this) {
                requests.add(r);
            }
            answer(r, exchange);
        } catch (IOException | RuntimeException e) {
            System.getLogger(getClass().getName()).log(System.Logger.Level.WARNING, "fake model API: " + e, e);
            throw e;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
