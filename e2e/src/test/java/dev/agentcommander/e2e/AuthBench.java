package dev.agentcommander.e2e;

import dev.agentcommander.controlplane.ControlPlane;
import dev.agentcommander.controlplane.ServerConfig;
import dev.agentcommander.controlplane.auth.BrowserSessions;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Issue 15 figures: what authenticating a request costs with the {@code ac_session} cookie next to a bearer JWT,
 * in the same run. Over HTTP: {@code GET /v1/me} (no database work besides authentication) with each, requests
 * interleaved on one keep-alive connection each. In process: {@code Tokens.verify} against
 * {@code BrowserSessions.lookup} with the per-replica cache warm and cold (cold = the Postgres lookup every cache
 * miss pays, at most once per 5 s per session per replica). Each run prints p50/p99; the summary prints
 * min/median/max of them over the runs. Args: [requests per run=2000] [runs=5].
 */
public final class AuthBench {
    private static final String SECRET = "auth-bench-secret-auth-bench-secret-0123";

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("auth-bench");
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"));
             ControlPlane cp = new ControlPlane(new ServerConfig(pg.jdbcUrl(), SECRET, "127.0.0.1", 0, null,
                     dir.resolve("cp"), 0), Clock.systemUTC())
                     .start(null, new PrintStream(OutputStream.nullOutputStream()))) {
            String base = "http://127.0.0.1:" + cp.port();
            HttpClient bearerClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpClient cookieClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> link = cookieClient.send(HttpRequest.newBuilder(URI.create(base + "/auth/link?code="
                    + cp.signIn().links().mint(Role.OPERATOR))).build(), HttpResponse.BodyHandlers.ofString());
            String setCookie = link.headers().firstValue("set-cookie").orElseThrow();
            String cookieValue = setCookie.substring("ac_session=".length(), setCookie.indexOf(';'));
            String jwt = cp.tokens().issue("bench", Role.OPERATOR, Duration.ofHours(1));
            HttpRequest bearer = HttpRequest.newBuilder(URI.create(base + "/v1/me"))
                    .header("Authorization", "Bearer " + jwt).build();
            HttpRequest cookie = HttpRequest.newBuilder(URI.create(base + "/v1/me"))
                    .header("Cookie", "ac_session=" + cookieValue).build();
            BrowserSessions warm = cp.signIn().sessions();
            byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);

            List<double[]> rows = new ArrayList<>(); // per run: http bearer p50,p99, http cookie p50,p99, ...
            for (int run = 0; run < runs + 1; run++) { // run 0 warms the JIT and is not counted
                Stats httpBearer = new Stats();
                Stats httpCookie = new Stats();
                Stats jwtVerify = new Stats();
                Stats warmLookup = new Stats();
                Stats coldLookup = new Stats();
                for (int i = 0; i < requests; i++) {
                    httpBearer.add(time(() -> send(bearerClient, bearer)) / 1e3);
                    httpCookie.add(time(() -> send(cookieClient, cookie)) / 1e3);
                    jwtVerify.add(time(() -> cp.tokens().verify(jwt).orElseThrow()) / 1e3);
                    warmLookup.add(time(() -> warm.lookup(cookieValue).orElseThrow()) / 1e3);
                    if (i % 10 == 0) { // each cold lookup is a Postgres round trip: fewer of them
                        BrowserSessions cold = new BrowserSessions(cp.database(), key, Clock.systemUTC());
                        coldLookup.add(time(() -> cold.lookup(cookieValue).orElseThrow()) / 1e3);
                    }
                }
                if (run == 0) {
                    continue;
                }
                double[] r = {httpBearer.percentile(50), httpBearer.percentile(99), httpCookie.percentile(50),
                        httpCookie.percentile(99), jwtVerify.percentile(50), jwtVerify.percentile(99),
                        warmLookup.percentile(50), warmLookup.percentile(99), coldLookup.percentile(50),
                        coldLookup.percentile(99)};
                rows.add(r);
                System.out.printf(Locale.ROOT, "run %d: GET /v1/me bearer p50=%.0f p99=%.0f µs, cookie p50=%.0f "
                                + "p99=%.0f µs | verify JWT p50=%.1f p99=%.1f µs, session warm p50=%.1f "
                                + "p99=%.1f µs, "
                                + "cold (Postgres) p50=%.0f p99=%.0f µs%n", run, r[0], r[1], r[2], r[3], r[4], r[5],
                        r[6], r[7], r[8], r[9]);
            }
            String[] names = {"GET /v1/me, bearer JWT", "GET /v1/me, ac_session cookie", "Tokens.verify (JWT)",
                    "session lookup, cache warm", "session lookup, cold (DB)"};
            System.out.printf(Locale.ROOT, "over %d runs of %d requests (min / median / max, µs):%n", runs, requests);
            for (int k = 0; k < names.length; k++) {
                System.out.printf(Locale.ROOT, "  %-30s p50 %s   p99 %s%n", names[k], spread(rows, 2 * k),
                        spread(rows, 2 * k + 1));
            }
            System.out.println("[" + Stats.machine() + "]");
        }
    }

    private static String spread(List<double[]> rows, int col) {
        Stats s = new Stats();
        rows.forEach(r -> s.add(r[col]));
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", s.percentile(0), s.percentile(50), s.percentile(100));
    }

    private static int send(HttpClient c, HttpRequest r) {
        try {
            HttpResponse<String> res = c.send(r, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("GET /v1/me answered " + res.statusCode() + ": " + res.body());
            }
            return res.statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long time(Supplier<?> work) {
        long t0 = System.nanoTime();
        work.get();
        return System.nanoTime() - t0;
    }
}
