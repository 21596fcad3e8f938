package dev.agentcommander.e2e;

import dev.agentcommander.controlplane.auth.Secrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Issue 19 figures: what one {@code GET /metrics} scrape costs with 0 and with HOSTS connected hosts (simulated
 * agents that send heartbeats with an outbox backlog and an RSS, as agentd does every 15 s), min/median/max over
 * SCRAPES scrapes; then ingest throughput (simulated agents, acked = committed) with {@code METRICS_ENABLED=true}
 * next to {@code false}, the control plane restarted for each, ROUNDS times each in turn (on, off, on, off …).
 * Args: [hosts=1000] [scrapes=50] [agents=4] [events per agent=25000] [rounds=3].
 */
public final class MetricsBench {
    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int scrapes = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int agents = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int perAgent = args.length > 3 ? Integer.parseInt(args[3]) : 25_000;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        System.out.println("load before: " + load());
        Path dir = Files.createTempDirectory("metrics-bench");
        HttpClient http = HttpClient.newHttpClient();
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.controlPlaneEnv.put("METRICS_ENABLED", "true");
            stack.startControlPlane();
            scrapeCost(stack, http, scrapes, "0 hosts");
            List<WebSocket> sockets = new ArrayList<>();
            List<String> tokens = hostsBySql(stack, "beat", hosts);
            long t0 = System.nanoTime();
            for (String token : tokens) {
                sockets.add(heartbeating(http, stack.baseUrl(), token));
            }
            System.out.printf(Locale.ROOT, "%d simulated hosts connected and reporting in %.1f s%n", hosts,
                    (System.nanoTime() - t0) / 1e9);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (series(scrape(stack, http).body()) < hosts && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            Thread beats = Thread.ofVirtual().name("bench-heartbeats").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(15_000);
                        for (WebSocket w : sockets) {
                            w.sendText(heartbeat(), true);
                        }
                    }
                } catch (InterruptedException e) {
                    // done
                }
            });
            scrapeCost(stack, http, scrapes, hosts + " hosts");
            beats.interrupt();
            sockets.forEach(WebSocket::abort);

            Stats on = new Stats();
            Stats off = new Stats();
            for (int r = 0; r < rounds; r++) {
                for (boolean enabled : new boolean[] {true, false}) {
                    stack.controlPlane().stop();
                    stack.controlPlaneEnv.put("METRICS_ENABLED", Boolean.toString(enabled));
                    stack.startControlPlane();
                    double rate = ingest(stack, agents, perAgent, "r" + r + (enabled ? "on" : "off"));
                    (enabled ? on : off).add(rate);
                    System.out.printf(Locale.ROOT, "  round %d, metrics %s: %.0f events/s%n", r + 1,
                            enabled ? "on" : "off", rate);
                }
            }
            System.out.printf(Locale.ROOT, "ingest, metrics on:  n=%d min=%.0f median=%.0f max=%.0f events/s "
                    + "(%d agents x %d events, acked after commit)%n", on.count(), on.percentile(0),
                    on.percentile(50), on.percentile(100), agents, perAgent);
            System.out.printf(Locale.ROOT, "ingest, metrics off: n=%d min=%.0f median=%.0f max=%.0f events/s%n",
                    off.count(), off.percentile(0), off.percentile(50), off.percentile(100));
            System.out.printf(Locale.ROOT, "on / off (medians) = %.0f %%   [%s]%n",
                    100 * on.percentile(50) / off.percentile(50), Stats.machine());
        }
        System.out.println("load after: " + load());
    }

    /** SCRAPES timed scrapes after five untimed ones; prints min/median/max, size and per-host series. */
    private static void scrapeCost(Stack stack, HttpClient http, int scrapes, String what) throws Exception {
        for (int i = 0; i < 5; i++) {
            scrape(stack, http);
        }
        Stats ms = new Stats();
        String body = "";
        for (int i = 0; i < scrapes; i++) {
            long t0 = System.nanoTime();
            body = scrape(stack, http).body();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        System.out.printf(Locale.ROOT, "GET /metrics at %s: n=%d min=%.2f median=%.2f max=%.2f ms, %d bytes, "
                + "%d lines, %d hosts with series%n", what, ms.count(), ms.percentile(0), ms.percentile(50),
                ms.percentile(100), body.length(), body.lines().count(), series(body));
    }

    private static HttpResponse<String> scrape(Stack stack, HttpClient http) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics: " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    private static long series(String body) {
        return body.lines().filter(l -> l.startsWith("agentcommander_host_outbox_backlog{")).count();
    }

    /** {@code n} hosts made straight in Postgres (the REST API rate-limits one admin to 40 a second). */
    private static List<String> hostsBySql(Stack stack, String prefix, int n) throws Exception {
        List<String> tokens = new ArrayList<>();
        try (Connection c = stack.sql(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO hosts (id, name, token_hash) VALUES (?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                String token = Secrets.randomToken();
                ps.setString(1, "h_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
                ps.setString(2, prefix + "-" + i);
                ps.setString(3, Secrets.sha256Hex(token));
                ps.addBatch();
                tokens.add(token);
            }
            ps.executeBatch();
        }
        return tokens;
    }

    private static String heartbeat() {
        return "{\"v\":1,\"type\":\"agent.heartbeat\",\"ts\":\"2026-12-02T03:00:00.000Z\",\"payload\":"
                + "{\"outbox_backlog\":" + (long) (Math.random() * 100) + ",\"rss_bytes\":73400320}}";
    }

    /** One simulated host on a shared client: hello, welcome, a heartbeat (then one every 15 s from the bench). */
    private static WebSocket heartbeating(HttpClient http, String base, String token) throws Exception {
        CompletableFuture<Void> welcome = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(URI.create(base.replace("http://", "ws://") + "/v1/agent"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        if (data.toString().contains("agent.welcome")) {
                            welcome.complete(null);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"v\":1,\"type\":\"agent.hello\",\"payload\":{\"host_name\":\"sim\",\"agent_version\":"
                + "\"bench\",\"protocol\":1,\"capabilities\":[],\"last_acked_seq\":0}}", true).join();
        welcome.get(10, TimeUnit.SECONDS);
        ws.sendText(heartbeat(), true).join();
        return ws;
    }

    /** Events/s of {@code agents} simulated agents on fresh hosts, after a warm-up on one more. */
    private static double ingest(Stack stack, int agents, int perAgent, String tag) throws Exception {
        List<String> tokens = hostsBySql(stack, "ingest-" + tag, agents + 1);
        try (SimAgent warm = new SimAgent(stack.baseUrl(), tokens.get(agents))) {
            warm.run(5_000, 2000, "s_warm");
        }
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(agents)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                String token = tokens.get(i);
                String session = "s_" + tag + "_" + i;
                fs.add(pool.submit(() -> {
                    try (SimAgent a = new SimAgent(stack.baseUrl(), token)) {
                        a.run(perAgent, 2000, session);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        return (double) agents * perAgent / ((System.nanoTime() - t0) / 1e9);
    }

    private static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }
}
