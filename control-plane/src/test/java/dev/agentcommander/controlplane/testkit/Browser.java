package dev.agentcommander.controlplane.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a browser does that sign-in depends on, done by hand so a test can also do it wrong: a cookie jar (it
 * keeps {@code Set-Cookie} values, drops a cookie set with {@code Max-Age=0} or an
 * {@code Expires} in 1970), no automatic redirects, and any
 * extra header ({@code Origin}, {@code X-CSRF-Token}). It does not scope cookies by path: tests send what they
 * mean to send.
 */
public final class Browser {
    /** One answer: status, headers, body text; {@link #json()} parses it. */
    public record Page(int status, Map<String, List<String>> headers, String body) {
        public String location() {
            List<String> l = headers.get("location");
            return l == null ? null : l.getFirst();
        }

        public JsonNode json() {
            try {
                return body.isEmpty() ? null : Json.mapper().readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        /** The Set-Cookie line for {@code name}, or null. */
        public String setCookie(String name) {
            return headers.getOrDefault("set-cookie", List.of()).stream().filter(c -> c.startsWith(name + "="))
                    .findFirst().orElse(null);
        }
    }

    public final Map<String, String> cookies = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    public Page get(String url, String... headers) {
        return call("GET", url, null, headers);
    }

    public Page post(String url, String body, String... headers) {
        return call("POST", url, body, headers);
    }

    /** {@code headers} are name, value pairs. */
    public Page call(String method, String url, String body, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (!cookies.isEmpty()) {
                StringBuilder c = new StringBuilder();
                cookies.forEach((k, v) -> c.append(c.isEmpty() ? "" : "; ").append(k).append('=').append(v));
                b.header("Cookie", c.toString());
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            for (String sc : r.headers().allValues("set-cookie")) {
                String nv = sc.split(";", 2)[0];
                int eq = nv.indexOf('=');
                String name = nv.substring(0, eq).strip();
                String value = nv.substring(eq + 1).strip();
                String attrs = sc.toLowerCase(java.util.Locale.ROOT);
                if (attrs.contains("max-age=0") || attrs.contains("expires=thu, 1 jan 1970")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return new Page(r.statusCode(), r.headers().map(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + url, e);
        }
    }
}
