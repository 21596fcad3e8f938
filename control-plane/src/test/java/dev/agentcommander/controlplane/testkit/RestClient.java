package dev.agentcommander.controlplane.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * REST calls to a control plane on 127.0.0.1, answering status and parsed JSON body (an HTML page as a text node);
 * failures are unchecked.
 */
public final class RestClient {
    /** Status and parsed JSON body (null when empty). */
    public record Reply(int status, JsonNode body) {
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    public RestClient(int port) {
        this.port = port;
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public Reply get(String path, String token) {
        return call("GET", path, token, null);
    }

    public Reply post(String path, String token, String body) {
        return call("POST", path, token, body);
    }

    public Reply delete(String path, String token) {
        return call("DELETE", path, token, null);
    }

    /** {@code body} null sends none; {@code token} null sends no Authorization header. */
    public Reply call(String method, String path, String token, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            boolean json = r.headers().firstValue("Content-Type").orElse("application/json")
                    .startsWith("application/json");
            JsonNode parsed = r.body().isEmpty() ? null : json ? Json.mapper().readTree(r.body())
                    : Json.mapper().getNodeFactory().textNode(r.body()); // an HTML page (sign-in)
            return new Reply(r.statusCode(), parsed);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path, e);
        }
    }

    /** A plain GET of a non-JSON resource (the dashboard): status and body text. */
    public HttpResponse<String> getText(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path, e);
        }
    }
}
