package dev.agentcommander.controlplane.http;

import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.metrics.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics}: this replica's metrics in the Prometheus text format, for a scraper. Metrics name hosts
 * and show load, so they are not public: with {@code METRICS_TOKEN} set, only a request bearing it is served (401
 * otherwise, from anywhere); without it, only a caller on this machine (loopback; 403 otherwise). A reverse proxy
 * on the same machine makes every caller look local: set {@code METRICS_TOKEN} there. Refusals are JSON errors
 * through the one error handler, like every other route. With metrics off the route does not exist (404).
 */
final class MetricsApi {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Metrics metrics;
    private final byte[] token;

    MetricsApi(Metrics metrics, String token) {
        this.metrics = metrics;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    void register(Routes r) {
        if (metrics.enabled()) {
            r.get("/metrics", this::scrape);
        }
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        allow(req);
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body);
    }

    private void allow(ServerRequest req) {
        if (token != null) {
            String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
            byte[] given = auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(given, token)) {
                throw new ApiError(401, "unauthorized", "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>");
            }
            return;
        }
        if (!loopback(req.remotePeer().address())) {
            throw new ApiError(403, "forbidden", "metrics are served only to this machine (loopback) while "
                    + "METRICS_TOKEN is unset; set METRICS_TOKEN to scrape from elsewhere");
        }
    }

    static boolean loopback(SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() != null && i.getAddress().isLoopbackAddress();
    }
}
