package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.ServerConfig;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.PromText;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import dev.agentcommander.schema.Json;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics}: Prometheus text that a strict reader accepts, values that move with what agents and
 * dashboards do, and who may read it (loopback only without {@code METRICS_TOKEN}, the bearer with it, nobody with
 * metrics off).
 */
class MetricsTest {
    private static final String TOKEN = "metrics-token-0123456789";

    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> scrape(String base, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static PromText metrics() {
        HttpResponse<String> r = scrape(cp.rest().base(), null);
        assertThat(r.statusCode()).as("loopback, no METRICS_TOKEN: served").isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return PromText.parse(r.body());
    }

    private static double value(PromText p, String name, String... labels) {
        Double v = p.value(name, labels);
        return v == null ? Double.NaN : v;
    }

    @Test
    void metricsParseAsPrometheusTextAndMoveWithIngestHeartbeatsApprovalsAndDashboards() {
        PromText before = metrics();
        assertThat(before.type("agentcommander_ingest_batch_seconds")).isEqualTo("histogram");
        assertThat(before.type("agentcommander_agent_connections")).isEqualTo("gauge");
        assertThat(value(before, "agentcommander_db_pool_max")).isEqualTo(16);
        assertThat(value(before, "jvm_threads_live_threads")).isPositive();
        double ingested = value(before, "agentcommander_ingest_messages_total");
        double batches = value(before, "agentcommander_ingest_batch_seconds_count");

        ObjectNode h = cp.createHost("metered");
        String hostId = h.at("/host/id").asText();
        try (WsClient a = cp.agent(h.get("token").asText(), "metered", 0)) {
            a.send("{\"v\":1,\"type\":\"agent.heartbeat\",\"payload\":{\"outbox_backlog\":7,\"rss_bytes\":73400320}}");
            for (int seq = 1; seq <= 50; seq++) {
                a.send(Frames.event(seq, "s-met", "tick"));
            }
            a.next(n -> n.at("/payload/seq").asLong() == 50);
            a.send(Frames.frame("approval.requested", 51, "{\"approval_id\":\"ap-met\",\"session_id\":\"s-met\","
                    + "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"make\"}}"));
            a.next(n -> n.at("/payload/seq").asLong() == 51);

            PromText during = metrics();
            assertThat(value(during, "agentcommander_ingest_messages_total")).isGreaterThanOrEqualTo(ingested + 51);
            assertThat(value(during, "agentcommander_ingest_batch_seconds_count")).isGreaterThan(batches);
            assertThat(value(during, "agentcommander_agent_connections")).isGreaterThanOrEqualTo(1);
            assertThat(value(during, "agentcommander_host_outbox_backlog", "host_id", hostId)).isEqualTo(7);
            assertThat(value(during, "agentcommander_host_rss_bytes", "host_id", hostId)).isEqualTo(73400320);
            assertThat(value(during, "agentcommander_host_ack_lag", "host_id", hostId)).as("all 51 acked").isZero();

            // the same report on the hosts row, for the dashboard: the first one is stored at once
            JsonNode row = hostRow(hostId);
            assertThat(row.get("outbox_backlog").asLong()).isEqualTo(7);
            assertThat(row.get("rss_bytes").asLong()).isEqualTo(73400320);
            assertThat(row.get("heartbeat_at").isTextual()).isTrue();

            // pending approvals are read from Postgres at most every 5 s
            Await.until("the approval counted as pending", Duration.ofSeconds(20),
                    () -> value(metrics(), "agentcommander_approvals_pending") >= 1);
            double decisions = value(metrics(), "agentcommander_approval_decision_seconds_count");
            assertThat(cp.post("/v1/approvals/ap-met/decision", cp.operator(), "{\"behavior\":\"allow\"}").status())
                    .isEqualTo(200);
            assertThat(value(metrics(), "agentcommander_approval_decision_seconds_count")).isEqualTo(decisions + 1);

            try (WsClient ui = cp.ui(cp.viewer())) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"s1\",\"topic\":\"approvals\",\"filter\":{}}");
                ui.nextOfType("subscribed");
                PromText withUi = metrics();
                assertThat(value(withUi, "agentcommander_ui_sockets")).isGreaterThanOrEqualTo(1);
                assertThat(value(withUi, "agentcommander_ui_subscriptions")).isGreaterThanOrEqualTo(1);
            }
        }
        Await.until("the host's series go with its socket", () ->
                metrics().value("agentcommander_host_outbox_backlog", "host_id", hostId) == null);
        assertThat(hostRow(hostId).get("outbox_backlog").asLong()).as("the row keeps the last report").isEqualTo(7);
    }

    private static JsonNode hostRow(String hostId) {
        for (JsonNode row : cp.get("/v1/hosts", cp.viewer()).body().get("items")) {
            if (row.get("id").asText().equals(hostId)) {
                return row;
            }
        }
        throw new AssertionError("host " + hostId + " not listed");
    }

    @Test
    void withoutATokenACallerFromAnotherMachineIsRefused() throws Exception {
        InetAddress external = externalAddress();
        assumeTrue(external != null, "no non-loopback IPv4 address on this machine");
        try (TestControlPlane wide = cp.replica(Clock.systemUTC(), host("0.0.0.0"))) {
            HttpResponse<String> local = scrape("http://127.0.0.1:" + wide.port(), null);
            assertThat(local.statusCode()).isEqualTo(200);
            PromText.parse(local.body());
            HttpResponse<String> remote = scrape("http://" + external.getHostAddress() + ":" + wide.port(), null);
            assertThat(remote.statusCode()).isEqualTo(403);
            JsonNode err = Json.mapper().readTree(remote.body());
            assertThat(err.at("/error/code").asText()).isEqualTo("forbidden");
            assertThat(err.at("/error/message").asText()).contains("METRICS_TOKEN");
        }
    }

    @Test
    void withATokenEveryCallerNeedsItLoopbackToo() throws Exception {
        try (TestControlPlane locked = cp.replica(Clock.systemUTC(),
                c -> c.withOps(c.ops().withMetrics(true, TOKEN)))) {
            String base = "http://127.0.0.1:" + locked.port();
            for (String wrong : new String[] {null, "metrics-token-wrong-0000", TOKEN + "x", locked.admin()}) {
                HttpResponse<String> r = scrape(base, wrong);
                assertThat(r.statusCode()).as("bearer " + wrong).isEqualTo(401);
                assertThat(Json.mapper().readTree(r.body()).at("/error/code").asText()).isEqualTo("unauthorized");
            }
            HttpResponse<String> ok = scrape(base, TOKEN);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(PromText.parse(ok.body()).type("agentcommander_agent_connections")).isEqualTo("gauge");
        }
    }

    @Test
    void metricsOffServeNothing() {
        try (TestControlPlane off = cp.replica(Clock.systemUTC(), c -> c.withOps(c.ops().withMetrics(false, null)))) {
            assertThat(scrape("http://127.0.0.1:" + off.port(), null).statusCode()).isEqualTo(404);
            assertThat(off.controlPlane().metrics().enabled()).isFalse();
        }
    }

    @Test
    void theReaderRefusesWhatPrometheusWould() {
        String ok = "# TYPE a gauge\na{x=\"1\"} 2.0\n";
        assertThat(PromText.parse(ok).value("a", "x", "1")).isEqualTo(2.0);
        for (String bad : new String[] {
                "a 1\n", // no TYPE
                "# TYPE a gauge\na{x=1} 1\n", // unquoted
                "# TYPE a gauge\na{x=\"\\q\"} 1\n", // bad escape
                "# TYPE a gauge\na one\n", // not a float
                "# TYPE a gauge\na 1\na 2\n", // twice
                "# TYPE a gauge\n1a 1\n", // bad name
                "# TYPE a gauge\na 1", // no final line feed
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n",
                "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 0\n"}) {
            assertThatThrownBy(() -> PromText.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static UnaryOperator<ServerConfig> host(String host) {
        return c -> new ServerConfig(c.databaseUrl(), c.jwtSecret(), host, 0, c.publicUrl(), c.dataDir(),
                c.embeddedDbPort(), c.embeddedDbGiveUp(), c.signIn(), c.notifications(), c.tls(), c.ops(), c.fanOut());
    }

    private static InetAddress externalAddress() throws Exception {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        return null;
    }
}
