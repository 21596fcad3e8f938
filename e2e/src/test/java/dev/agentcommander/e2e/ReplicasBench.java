package dev.agentcommander.e2e;

import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 20 figures: several control-plane replica JVMs on one Postgres (started on its own), simulated hosts
 * spread over them, one dashboard per replica. (1) change → every replica's dashboard: a session upsert on a host
 * held by one replica until each replica's UI subscriber has it, under background upserts from all hosts; (2) total
 * ingest with the ingesting hosts spread over every replica next to all of them on one; (3) failover: simulated
 * hosts behind the test's TCP balancer, one replica killed with SIGKILL, time until each of its hosts is welcomed by
 * another (then the replica is started again). Each figure is printed per run and as min/median/max over the runs.
 * Args: [hosts=1000] [replicas=3] [runs=3] [kills=10].
 */
public final class ReplicasBench {
    private static final Duration START = Duration.ofSeconds(120);

    private final Path dir;
    private final EmbeddedDatabase pg;
    private final Tokens tokens = new Tokens(Stack.JWT_SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
    private final List<JavaProcess> jvms = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private ReplicasBench(Path dir) {
        this.dir = dir;
        this.pg = EmbeddedDatabase.start(dir.resolve("pg"));
    }

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int replicas = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int kills = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        ReplicasBench b = new ReplicasBench(Files.createTempDirectory("replicas-bench"));
        try {
            for (int i = 0; i < replicas; i++) {
                b.start(i);
            }
            b.run(hosts, runs, kills);
        } finally {
            for (JavaProcess p : b.jvms) {
                if (p != null) {
                    p.close();
                }
            }
            b.pg.close();
        }
    }

    /** Starts replica {@code i} (again, on its old port, after a kill). */
    private void start(int i) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", pg.jdbcUrl());
        env.put("JWT_SECRET", Stack.JWT_SECRET);
        env.put("HOST", "127.0.0.1");
        env.put("PORT", i < ports.size() ? Integer.toString(ports.get(i)) : "0");
        env.put("DATA_DIR", dir.resolve("cp-" + i).toString());
        JavaProcess p = JavaProcess.start("cp-" + i, dir.resolve("logs"), List.of("-Xmx512m",
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir")),
                "dev.agentcommander.controlplane.Main", List.of("serve"), env);
        int port = Integer.parseInt(p.awaitLine("control-plane listening on http://[^:]+:(\\d+)", START));
        if (i < ports.size()) {
            jvms.set(i, p);
        } else {
            jvms.add(p);
            ports.add(port);
        }
    }

    private String url(int replica) {
        return "http://127.0.0.1:" + ports.get(replica);
    }

    private String jwt(Role role) {
        return tokens.issue("bench-" + role.name().toLowerCase(Locale.ROOT), role, Duration.ofHours(2));
    }

    /** {@code n} hosts written straight into Postgres (as POST /v1/hosts would: the token stored hashed). */
    private List<String> hostTokens(String prefix, int n) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl())) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                String token = Secrets.randomToken();
                HostRows.insert(c, prefix + i, Secrets.sha256Hex(token));
                out.add(token);
            }
            c.commit();
        }
        return out;
    }

    static String upsert(long seq, String sessionId, String name) {
        return "{\"v\":1,\"type\":\"sessions.upsert\",\"seq\":" + seq + ",\"ts\":\"2026-12-02T03:00:00Z\","
                + "\"payload\":{\"session\":{\"session_id\":\"" + sessionId + "\",\"kind\":\"pane\","
                + "\"provider\":\"claude\",\"status\":\"RUNNING\",\"needs_attention\":false,\"name\":\"" + name
                + "\",\"tmux\":{\"session\":\"main\",\"window\":\"1\",\"pane_id\":\"%1\"},\"cwd\":\"/src\","
                + "\"git\":{\"repo\":\"/src\",\"branch\":\"main\",\"dirty\":false},\"title\":\"t\"}}}";
    }

    private void run(int hosts, int runs, int kills) throws Exception {
        int r = ports.size();
        HttpClient client = HttpClient.newHttpClient();
        System.out.printf(Locale.ROOT, "%d replicas, %d simulated hosts  [%s]%n", r, hosts, Stats.machine());
        List<String> tokens = hostTokens("sim-", hosts);
        List<SimAgent> agents = new ArrayList<>();
        AtomicLong[] seqs = new AtomicLong[hosts];
        for (int i = 0; i < hosts; i++) {
            SimAgent a = new SimAgent(client, url(i % r), tokens.get(i));
            agents.add(a);
            seqs[i] = new AtomicLong();
            a.sendAndAwaitAck(seqs[i].incrementAndGet(), upsert(seqs[i].get(), "s_sim_" + i, "sim " + i));
        }
        List<List<Double>> p99s = new ArrayList<>();
        for (int k = 0; k < r; k++) {
            p99s.add(new ArrayList<>());
        }
        List<Double> p99All = new ArrayList<>();
        List<WsClient> uis = new ArrayList<>();
        AtomicBoolean background = new AtomicBoolean(true);
        try {
            for (int k = 0; k < r; k++) {
                WsClient ui = WsClient.connect(url(k).replace("http://", "ws://") + "/v1/ui?token="
                        + jwt(Role.VIEWER), null);
                ui.send("{\"type\":\"subscribe\",\"sub\":\"s\",\"topic\":\"sessions\",\"filter\":{}}");
                uis.add(ui);
            }
            // background: the hosts not used as probes upsert their session, ~100 changes/s in all
            int probes = Math.min(hosts, 2 * r);
            Thread bg = Thread.ofVirtual().name("bench-background").start(() -> {
                int i = probes;
                while (background.get() && hosts > probes) {
                    int h = probes + Math.floorMod(i++, hosts - probes);
                    agents.get(h).send(upsert(seqs[h].incrementAndGet(), "s_sim_" + h, "bg " + i));
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            for (int run = 0; run < runs; run++) {
                List<Stats> stats = new ArrayList<>();
                Stats all = new Stats();
                for (int k = 0; k < r; k++) {
                    stats.add(new Stats());
                }
                for (int s = 0; s < 110; s++) {
                    int h = s % probes;
                    String name = "probe-" + run + "-" + s;
                    long t0 = System.nanoTime();
                    agents.get(h).send(upsert(seqs[h].incrementAndGet(), "s_sim_" + h, name));
                    double[] ms = new double[r];
                    try (ExecutorService wait = Executors.newVirtualThreadPerTaskExecutor()) {
                        for (int k = 0; k < r; k++) { // one waiter per UI: each arrival timed as it comes
                            int ui = k;
                            wait.submit(() -> {
                                uis.get(ui).next("probe on replica " + ui, Duration.ofSeconds(30), n ->
                                        name.equals(n.at("/session/name").asText()));
                                ms[ui] = (System.nanoTime() - t0) / 1e6;
                            });
                        }
                    }
                    for (int k = 0; k < r; k++) {
                        if (ms[k] == 0) {
                            throw new IllegalStateException("probe " + name + " never reached the UI on replica " + k);
                        }
                    }
                    if (s >= 10) { // the first ten warm up
                        double slowest = 0;
                        for (int k = 0; k < r; k++) {
                            stats.get(k).add(ms[k]);
                            slowest = Math.max(slowest, ms[k]);
                        }
                        all.add(slowest);
                    }
                }
                for (int k = 0; k < r; k++) {
                    p99s.get(k).add(stats.get(k).percentile(99));
                }
                p99All.add(all.percentile(99));
                System.out.printf(Locale.ROOT, "run %d: change -> the last replica's UI has it: %s%n", run + 1, all.summary(" ms"));
            }
            background.set(false);
            bg.join();
        } finally {
            uis.forEach(WsClient::close);
        }
        System.out.printf(Locale.ROOT, "change -> every replica's UI, p99 over %d runs (min/median/max): %s%n", runs, mmm(p99All, "ms"));
        for (int k = 0; k < r; k++) {
            System.out.printf(Locale.ROOT, "  UI on replica %d (hosts of every replica): p99 %s%n", k,
                    mmm(p99s.get(k), "ms"));
        }
        agents.forEach(SimAgent::close);

        // ingest: the same work on one replica and spread over all
        int ingesters = 12;
        int perAgent = 10_000;
        List<Double> one = new ArrayList<>();
        List<Double> spread = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            one.add(ingest(client, hostTokens("one-" + run + "-", ingesters), perAgent, 1));
            spread.add(ingest(client, hostTokens("spread-" + run + "-", ingesters), perAgent, r));
            System.out.printf(Locale.ROOT, "run %d: ingest on 1 replica %.0f events/s, over %d replicas %.0f events/s%n",
                    run + 1, one.get(run), r, spread.get(run));
        }
        System.out.printf(Locale.ROOT, "ingest events/s (min/median/max): 1 replica %s; %d replicas %s; ratio of "
                + "medians %.2f%n", mmm(one, ""), r, mmm(spread, ""), median(spread) / median(one));

        failover(client, kills);
    }

    /** Events/s of {@code tokens.size()} simulated agents, each sending {@code perAgent}, over {@code over} replicas. */
    private double ingest(HttpClient client, List<String> tokens, int perAgent, int over) throws Exception {
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(tokens.size())) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    try (SimAgent a = new SimAgent(client, url(n % over), tokens.get(n))) {
                        a.run(perAgent, 1000, "s_ing_" + n);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        return (double) tokens.size() * perAgent / ((System.nanoTime() - t0) / 1e9);
    }

    /** Kills replicas in turn under simulated hosts connected through the balancer; prints reconnect times. */
    private void failover(HttpClient client, int kills) throws Exception {
        int hosts = 60;
        List<String> tokens = hostTokens("fo-", hosts);
        Stats times = new Stats();
        try (ReplicaBalancer lb = new ReplicaBalancer(ports, 0);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            String via = "http://127.0.0.1:" + lb.port();
            Failover f = new Failover(client, via, tokens, pool);
            for (int i = 0; i < hosts; i++) {
                f.connect(i);
            }
            for (int kill = 0; kill < kills; kill++) {
                int victim = kill % ports.size();
                int held = lb.openTo(ports.get(victim));
                List<Double> got = Collections.synchronizedList(new ArrayList<>());
                f.round(got);
                jvms.get(victim).kill9();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (got.size() < held && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                got.forEach(times::add);
                System.out.printf(Locale.ROOT, "kill %d (replica %d): %d of %d hosts welcomed elsewhere, slowest "
                        + "%.2f s%n", kill + 1, victim, got.size(), held,
                        got.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
                start(victim);
            }
            f.close();
        }
        System.out.printf(Locale.ROOT, "failover over %d kills (kill -9 -> welcomed by another replica): p50 %.2f s, "
                + "max %.2f s (n=%d)%n", kills, times.percentile(50), times.percentile(100), times.count());
    }

    /**
     * Simulated hosts that, like agentd after a welcomed link, reconnect at once when their socket dies, and record
     * how long after the current round's kill a live replica welcomed them.
     */
    private static final class Failover {
        private final HttpClient client;
        private final String via;
        private final List<String> tokens;
        private final ExecutorService pool;
        private final List<SimAgent> agents = new ArrayList<>();
        private volatile long t0;
        private volatile List<Double> round = new ArrayList<>();
        private volatile boolean closing;

        Failover(HttpClient client, String via, List<String> tokens, ExecutorService pool) {
            this.client = client;
            this.via = via;
            this.tokens = tokens;
            this.pool = pool;
            tokens.forEach(t -> agents.add(null));
        }

        void round(List<Double> out) {
            round = out;
            t0 = System.nanoTime();
        }

        void connect(int i) throws Exception {
            SimAgent a = new SimAgent(client, via, tokens.get(i));
            synchronized (agents) {
                agents.set(i, a);
            }
            a.closed.thenRunAsync(() -> {
                for (int attempt = 0; attempt < 200 && !closing; attempt++) {
                    try {
                        connect(i);
                        round.add((System.nanoTime() - t0) / 1e9);
                        return;
                    } catch (Exception e) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            }, pool);
        }

        void close() {
            closing = true;
            synchronized (agents) {
                agents.forEach(SimAgent::close);
            }
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static String mmm(List<Double> v, String unit) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f%s", s.get(0), s.get(s.size() / 2), s.get(s.size() - 1),
                unit.isEmpty() ? "" : " " + unit);
    }
}
