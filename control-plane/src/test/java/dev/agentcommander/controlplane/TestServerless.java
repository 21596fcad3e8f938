package dev.agentcommander.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** REST helpers for a control plane a test started itself. */
final class TestServerless {
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    TestServerless(int port) {
        this.port = port;
    }

    TestServer.Reply get(String path, String token) {
        return call("GET", path, token, null);
    }

    TestServer.Reply post(String path, String token, String body) {
        return call("POST", path, token, body);
    }

    private TestServer.Reply call(String method, String path, String token, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = r.body().isEmpty() ? null : Json.mapper().readTree(r.body());
            return new TestServer.Reply(r.statusCode(), n);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path, e);
        }
    }
}
