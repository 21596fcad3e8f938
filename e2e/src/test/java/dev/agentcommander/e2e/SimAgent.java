package dev.agentcommander.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated agent for benchmarks: speaks the agent link like agentd (hello, then sequenced frames within a window
 * of unacked ones, cumulative acks) without tmux or an outbox, so the control plane's ingest is what is measured.
 */
final class SimAgent implements AutoCloseable {
    private static final Pattern ACK = Pattern.compile("\"type\":\"agent.ack\".*\"seq\":(\\d+)|\"seq\":(\\d+).*\"type\":\"agent.ack\"");
    private final AtomicLong acked = new AtomicLong();
    private final CompletableFuture<String> welcome = new CompletableFuture<>();
    private final WebSocket ws;

    SimAgent(String baseUrl, String token) throws Exception {
        this(HttpClient.newHttpClient(), baseUrl, token);
    }

    /** Closed (by either side, or the connection lost). */
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** On a client shared by many simulated agents (a thousand hosts need not start a thousand clients). */
    SimAgent(HttpClient client, String baseUrl, String token) throws Exception {
        WebSocket.Listener l = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                closed.complete(null);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete(null);
            }

            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String s = partial.toString();
                    partial.setLength(0);
                    if (s.contains("agent.welcome")) {
                        welcome.complete(s);
                    } else {
                        Matcher m = ACK.matcher(s);
                        if (m.find()) {
                            long seq = Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
                            acked.accumulateAndGet(seq, Math::max);
                        }
                    }
                }
                w.request(1);
                return null;
            }
        };
        ws = client.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(URI.create(baseUrl.replace("http://", "ws://") + "/v1/agent"), l).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"v\":1,\"type\":\"agent.hello\",\"payload\":{\"host_name\":\"sim\",\"agent_version\":\"bench\","
                + "\"protocol\":1,\"capabilities\":[],\"last_acked_seq\":0}}", true).join();
        welcome.get(10, TimeUnit.SECONDS);
    }

    static String event(long seq, String session) {
        return "{\"v\":1,\"type\":\"events.append\",\"seq\":" + seq + ",\"ts\":\"2026-11-23T10:00:00.000Z\","
                + "\"payload\":{\"session_id\":\"" + session + "\",\"event_type\":\"hook.PostToolUse\",\"data\":"
                + "{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"npm test -- --watch=false\"},"
                + "\"n\":" + seq + ",\"cwd\":\"/home/dev/src/app\",\"pane_id\":\"%12\"}}}";
    }

    /** Sends seqs 1..n keeping at most {@code window} unacked, and waits for the last ack. */
    void run(long n, int window, String session) throws InterruptedException {
        run(n, window, seq -> event(seq, session));
    }

    /** The same with the frame of each seq made by {@code frame} (approvals, say). */
    void run(long n, int window, java.util.function.LongFunction<String> frame) throws InterruptedException {
        for (long seq = 1; seq <= n; seq++) {
            while (seq - acked.get() > window) {
                Thread.onSpinWait();
                Thread.sleep(0, 100_000);
            }
            ws.sendText(frame.apply(seq), true).join();
        }
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (acked.get() < n && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        if (acked.get() < n) {
            throw new IllegalStateException("only " + acked.get() + " of " + n + " acked");
        }
    }

    /** Sends one frame carrying {@code seq} and waits until the server acked it (stored and committed). */
    void sendAndAwaitAck(long seq, String frame) throws InterruptedException {
        ws.sendText(frame, true).join();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (acked.get() < seq) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("seq " + seq + " not acked");
            }
            Thread.onSpinWait();
        }
    }

    /** Sends one frame without waiting for its ack (a paced sender keeps its own seqs). */
    void send(String frame) {
        ws.sendText(frame, true).join();
    }

    /** The highest seq the server acked so far. */
    long acked() {
        return acked.get();
    }

    @Override
    public void close() {
        ws.abort();
    }
}
