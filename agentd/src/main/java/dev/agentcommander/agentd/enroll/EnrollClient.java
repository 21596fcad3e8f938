package dev.agentcommander.agentd.enroll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Enrollment;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The one request {@code agentd enroll} makes: {@code POST /v1/enroll} (the contract is {@link Enrollment}). Every
 * way it can fail becomes a {@link Failed} whose message says what happened in words a person can act on: the
 * control plane's own error message for a refused code, the address and cause when it cannot be reached.
 */
class EnrollClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** What the control plane answered: the host it made and its token. */
    record Enrolled(String hostId, String hostName, String token) {
    }

    /** The enrollment did not happen. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    Enrolled enroll(String baseUrl, String code, String hostName) throws Failed {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("code", code);
        body.put("host_name", hostName);
        String url = baseUrl + Enrollment.PATH;
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build()) {
            r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failed("cannot reach " + url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted while enrolling");
        }
        JsonNode reply;
        try {
            reply = Json.mapper().readTree(r.body());
        } catch (IOException e) {
            reply = null;
        }
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            JsonNode error = reply == null ? null : reply.path("error");
            if (error != null && error.hasNonNull("message")) {
                throw new Failed("the control plane refused: " + error.get("message").asText() + " (HTTP "
                        + r.statusCode() + " " + error.path("code").asText() + ")");
            }
            throw new Failed(url + " answered HTTP " + r.statusCode() + " (is " + baseUrl
                    + " the control plane's address?)");
        }
        if (reply == null || !reply.path("token").isTextual() || !reply.at("/host/id").isTextual()) {
            throw new Failed(url + " answered without a host token (is " + baseUrl
                    + " the control plane's address?)");
        }
        return new Enrolled(reply.at("/host/id").asText(), reply.at("/host/name").asText(hostName),
                reply.get("token").asText());
    }
}
