package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.LogCapture;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What every response carries, what unknown paths and junk ids answer, and which JWTs are refused. */
class HttpHardeningTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<byte[]> raw(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cp.rest().base() + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void everyResponseCarriesTheSecurityHeadersRestStaticFilesAndErrorsAlike() throws Exception {
        List<HttpResponse<byte[]>> replies = List.of(raw("GET", "/v1/sessions", cp.viewer()),
                raw("GET", "/health", null), raw("GET", "/", null), raw("GET", "/favicon.ico", null),
                raw("GET", "/openapi.json", null), raw("GET", "/v1/sessions", null),
                raw("GET", "/v1/nothing", cp.viewer()), raw("GET", "/nope", null),
                raw("POST", "/v1/hosts", cp.viewer()));
        assertThat(replies.stream().map(HttpResponse::statusCode).toList())
                .containsExactly(200, 200, 200, 200, 200, 401, 404, 404, 403);
        for (HttpResponse<byte[]> r : replies) {
            String what = r.request().method() + " " + r.uri().getPath() + " (" + r.statusCode() + ")";
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(what).hasValue("default-src 'self'; "
                    + "script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
                    + "frame-ancestors 'none'");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(what).hasValue("no-referrer");
        }
    }

    @Test
    void theDashboardPageNeedsNothingTheContentSecurityPolicyForbids() throws Exception {
        String html = new String(raw("GET", "/", null).body(), StandardCharsets.UTF_8);
        // an inline handler is an attribute "on…=" after whitespace (data-connection= is not one)
        assertThat(html).contains("Agent Commander").doesNotContain("<script>").doesNotContain("style=")
                .doesNotContain("<style").doesNotContainPattern("(?i)\\son[a-z]+\\s*=").doesNotContain("http://")
                .doesNotContain("https://");
    }

    @Test
    void unknownPathsOutsideTheApiAre404JsonAndNoLogLineAndTheFaviconIsServed() throws Exception {
        try (LogCapture all = LogCapture.of("")) {
            HttpResponse<byte[]> ico = raw("GET", "/favicon.ico", null);
            assertThat(ico.statusCode()).isEqualTo(200);
            assertThat(ico.body()).startsWith(0, 0, 1, 0);
            HttpResponse<byte[]> svg = raw("GET", "/favicon.svg", null);
            assertThat(svg.statusCode()).isEqualTo(200);
            assertThat(svg.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("image/svg+xml"));
            for (String path : List.of("/nope", "/apple-touch-icon.png", "/a/b/c.js", "/v2/sessions")) {
                for (String method : List.of("GET", "POST")) {
                    Reply r = cp.call(method, path, null, null);
                    assertThat(r.status()).as(method + " " + path).isEqualTo(404);
                    assertThat(r.body().at("/error/code").asText()).isEqualTo("not_found");
                    assertThat(r.body().at("/error/message").asText()).isEqualTo("no such endpoint: " + method
                            + " " + path);
                }
            }
            assertThat(all.drain()).as("log lines while answering unknown paths").isEmpty();
        }
    }

    @Test
    void aDashboardFileTheBrowserAlreadyHasIs304WithoutABodyNotA500() throws Exception {
        HttpResponse<byte[]> first = raw("GET", "/js/app.js", null);
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        try (LogCapture all = LogCapture.of("")) {
            HttpResponse<byte[]> again = HTTP.send(HttpRequest.newBuilder(URI.create(cp.rest().base()
                    + "/js/app.js")).header("If-None-Match", etag).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(again.statusCode()).isEqualTo(304);
            assertThat(again.body()).isEmpty();
            assertThat(again.headers().firstValue("ETag")).hasValue(etag);
            assertThat(again.headers().firstValue("Content-Security-Policy")).isPresent();
            assertThat(all.drain()).as("log lines while answering a conditional GET").isEmpty();
        }
    }

    @Test
    void aNulByteOrOtherJunkInAPathIdIs400AndNothingReachesTheDatabase() {
        for (String path : List.of("/v1/sessions/a%00b", "/v1/sessions/a%00b/events", "/v1/commands/%00",
                "/v1/approvals/x%00y", "/v1/sessions/" + "x".repeat(129))) {
            Reply r = cp.get(path, cp.admin());
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.body().at("/error/code").asText()).as(path).isEqualTo("invalid");
            assertThat(r.body().at("/error/message").asText()).as(path).startsWith("id:");
        }
        long commands = cp.count("SELECT count(*) FROM commands");
        assertThat(cp.post("/v1/sessions/a%00b/commands", cp.operator(), "{\"type\":\"interrupt\"}").status())
                .isEqualTo(400);
        assertThat(cp.post("/v1/hosts/h%00/commands", cp.operator(), "{\"type\":\"adopt_pane\",\"pane_id\":\"%1\"}")
                .status()).isEqualTo(400);
        assertThat(cp.post("/v1/approvals/a%00/decision", cp.operator(), "{\"behavior\":\"deny\"}").status())
                .isEqualTo(400);
        assertThat(cp.post("/v1/hosts/h%00/token", cp.admin(), null).status()).isEqualTo(400);
        assertThat(cp.delete("/v1/hosts/h%00", cp.admin()).status()).isEqualTo(400);
        assertThat(cp.count("SELECT count(*) FROM commands")).isEqualTo(commands);
    }

    @Test
    void aNulByteInAQueryIs400NotDatabaseUnavailable() {
        for (String query : List.of("q=a%00b", "host_id=h%00", "cursor=s%00", "needs_attention=yes")) {
            Reply r = cp.get("/v1/sessions?" + query, cp.viewer());
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.body().at("/error/code").asText()).as(query).isEqualTo("invalid");
        }
        Reply name = cp.post("/v1/hosts", cp.admin(), "{\"name\":\"a\\u0000b\"}");
        assertThat(name.status()).isEqualTo(400);
    }

    @Test
    void aValuePostgresRefusesAsDataIs400ThroughTheOneErrorMapper() {
        // a NUL inside a JSON string gets past every field rule of a decision message and reaches Postgres
        Reply r = cp.post("/v1/approvals/ap-none/decision", cp.operator(),
                "{\"behavior\":\"deny\",\"message\":\"no\\u0000pe\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("bad_request");
        assertThat(cp.get("/health", null).status()).isEqualTo(200);
    }

    /** A token signed with this server's secret, with the claims {@code edit} leaves. */
    private static String forged(UnaryOperator<JWTClaimsSet.Builder> edit) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject("mallory").issuer("agent-commander")
                .audience("agent-commander").claim("role", "admin").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), edit.apply(claims).build());
        jwt.sign(new MACSigner(ControlPlaneExtension.JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void tokensWithoutOurAudienceNotYetValidOrMadeToLiveTooLongAreRefusedOnRestAndTheUiSocket() throws Exception {
        String good = forged(b -> b);
        assertThat(cp.get("/v1/sessions", good).status()).as("well-formed control").isEqualTo(200);
        Instant now = Instant.now();
        List<String> bad = List.of(
                forged(b -> b.audience((String) null)),
                forged(b -> b.audience("some-other-service")),
                forged(b -> b.notBeforeTime(Date.from(now.plus(Duration.ofHours(1))))),
                forged(b -> b.issueTime(null)),
                forged(b -> b.issueTime(Date.from(now.minus(Duration.ofDays(31))))
                        .expirationTime(Date.from(now.plus(Duration.ofHours(1))))),
                forged(b -> b.expirationTime(Date.from(now.plus(Duration.ofDays(365))))));
        for (String token : bad) {
            Reply r = cp.get("/v1/sessions", token);
            assertThat(r.status()).as(token).isEqualTo(401);
            assertThat(r.body().at("/error/code").asText()).isEqualTo("unauthorized");
        }
        try (WsClient ui = cp.ui(bad.getFirst())) {
            WsClient.Close c = ui.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).startsWith("unauthorized");
        }
    }

    @Test
    void theUiSocketAndRestRefuseTheSameBadSessionFiltersNamingTheField() {
        String[][] cases = {{"needs_attention", "yes"}, {"status", "sleeping"}, {"provider", "gpt"},
                {"host_id", "h/1"}};
        try (WsClient ui = cp.ui(cp.viewer())) {
            for (String[] c : cases) {
                Reply rest = cp.get("/v1/sessions?" + c[0] + "=" + c[1], cp.viewer());
                assertThat(rest.status()).as(c[0]).isEqualTo(400);
                assertThat(rest.body().at("/error/code").asText()).isEqualTo("invalid");
                assertThat(rest.body().at("/error/message").asText()).startsWith(c[0] + ":");
                ui.send("{\"type\":\"subscribe\",\"sub\":\"" + c[0] + "\",\"topic\":\"sessions\",\"filter\":{\""
                        + c[0] + "\":\"" + c[1] + "\"}}");
                var error = ui.next(n -> n.path("sub").asText().equals(c[0]));
                assertThat(error.path("type").asText()).as(c[0]).isEqualTo("error");
                assertThat(error.at("/error/code").asText()).isEqualTo("invalid");
                assertThat(error.at("/error/message").asText()).isEqualTo("filter." + rest.body()
                        .at("/error/message").asText());
            }
            ui.send("{\"type\":\"subscribe\",\"sub\":\"ok\",\"topic\":\"sessions\",\"filter\":"
                    + "{\"needs_attention\":true,\"status\":\"waiting\"}}");
            assertThat(ui.next(n -> n.path("sub").asText().equals("ok")).path("type").asText())
                    .isEqualTo("subscribed");
        }
    }
}
