package dev.agentcommander.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Posts Claude Code hook events to agentd's hook receiver, as the hook script does. */
final class HookClient {
    record Reply(int status, String body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;

    HookClient(int port) {
        this.port = port;
    }

    /** Status and body, or status -1 when agentd could not be reached (nothing was delivered). */
    Reply post(String paneId, String json, Duration timeout) throws InterruptedException {
        String pane = paneId == null ? "" : "?pane=" + paneId.replace("%", "%25");
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/claude" + pane))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (java.net.ConnectException e) {
            return new Reply(-1, "");
        } catch (IOException e) {
            return new Reply(-2, String.valueOf(e));
        }
    }

    /** Whether agentd's hook receiver answers at all (any HTTP status). */
    boolean up() {
        try {
            return post(null, "{}", Duration.ofSeconds(2)).status() > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
