package dev.agentcommander.e2e;

import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 3 figure: sustained ingest (events/s, acked = committed) from simulated agents over the real agent link,
 * next to raw JDBC batch inserts of the same rows into the same Postgres in the same run.
 * Args: [agents=4] [events per agent=50000] [window=2000].
 */
public final class IngestBench {
    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int perAgent = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path dir = Files.createTempDirectory("ingest-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                tokens.add(stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", "sim-" + i)).body()
                        .get("token").asText());
            }
            // warm-up: a short run on a separate host so JIT and pools are warm
            String warm = stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", "warm")).body().get("token").asText();
            try (SimAgent a = new SimAgent(stack.baseUrl(), warm)) {
                a.run(20_000, window, "s_warm");
            }
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newFixedThreadPool(agents)) {
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < agents; i++) {
                    String token = tokens.get(i);
                    String session = "s_sim_" + i;
                    fs.add(pool.submit(() -> {
                        try (SimAgent a = new SimAgent(stack.baseUrl(), token)) {
                            a.run(perAgent, window, session);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long total = (long) agents * perAgent;
            double ingest = total / secs;
            double raw = rawJdbc(stack, total);
            System.out.printf(Locale.ROOT, "ingest via agent link (acked after commit): %d events in %.2f s = %.0f events/s"
                    + " (%d agents, window %d)%n", total, secs, ingest, agents, window);
            System.out.printf(Locale.ROOT, "raw JDBC batch inserts, same rows, same Postgres: %.0f rows/s%n", raw);
            System.out.printf(Locale.ROOT, "ingest / raw = %.0f %%   [%s]%n", 100 * ingest / raw, Stats.machine());
        }
    }

    private static double rawJdbc(Stack stack, long total) throws Exception {
        String host = stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", "raw-jdbc")).body().get("host")
                .get("id").asText();
        String url = stack.jdbcUrl() + (stack.jdbcUrl().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (host_id, seq, session_id, type, ts, "
                    + "payload) VALUES (?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (host_id, seq) DO NOTHING")) {
                Timestamp ts = Timestamp.from(Instant.now());
                for (long seq = 1; seq <= total; seq++) {
                    ps.setString(1, host);
                    ps.setLong(2, seq);
                    ps.setString(3, "s_raw");
                    ps.setString(4, "hook.PostToolUse");
                    ps.setTimestamp(5, ts);
                    ps.setString(6, "{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"npm test -- --watch=false\"},"
                            + "\"n\":" + seq + ",\"cwd\":\"/home/dev/src/app\",\"pane_id\":\"%12\"}");
                    ps.addBatch();
                    if (seq % 500 == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
            return total / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
