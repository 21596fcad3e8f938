package dev.agentcommander.controlplane.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The three channels' HTTP calls. A send succeeds on a 2xx answer and fails otherwise ({@link Failed}, retried by
 * the worker); the reason names the channel and the status, never the URL (a Slack webhook URL and an ntfy topic
 * are secrets).
 */
final class Senders {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String SIGNATURE = "X-Agent-Commander-Signature";

    /** A send that did not succeed; the message is safe to log. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private final NotifyConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    Senders(NotifyConfig config) {
        this.config = config;
    }

    void send(Channel channel, Kind kind, Content.Message m) throws Failed, InterruptedException {
        switch (channel) {
            case WEBHOOK -> webhook(m);
            case NTFY -> ntfy(m);
            case SLACK -> slack(kind, m);
        }
    }

    private void webhook(Content.Message m) throws Failed, InterruptedException {
        byte[] body = m.body().toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = request(config.webhookUrl()).header("Content-Type", "application/json")
                .header("X-Agent-Commander-Id", m.body().path("id").asText())
                .header("X-Agent-Commander-Kind", m.body().path("kind").asText());
        if (config.webhookSecret() != null) {
            b.header(SIGNATURE, "sha256=" + hmacSha256(config.webhookSecret(), body));
        }
        call("webhook", b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /**
     * ntfy: an approval is published under its id as the sequence id ({@code POST <topic>/<id>}), and deleted from
     * the phones that show it when it clears ({@code DELETE <topic>/<id>}); other kinds are plain messages.
     */
    private void ntfy(Content.Message m) throws Failed, InterruptedException {
        String topic = config.ntfyUrl().toString().replaceAll("/+$", "");
        String seq = m.sequenceId() == null ? null : sequenceId(m.sequenceId());
        if (m.withdraw() && seq != null) {
            call("ntfy", auth(request(URI.create(topic + "/" + seq))).DELETE().build());
            return;
        }
        HttpRequest.Builder b = auth(request(URI.create(seq == null ? topic : topic + "/" + seq)))
                .header("Title", headerText(m.title())).header("Tags", "robot")
                .header("Priority", m.body().has("approval") ? "high" : "default");
        if (m.url() != null) {
            b.header("Click", m.url());
        }
        call("ntfy", b.POST(HttpRequest.BodyPublishers.ofString(m.text(), StandardCharsets.UTF_8)).build());
    }

    private void slack(Kind kind, Content.Message m) throws Failed, InterruptedException {
        String link = m.url() == null ? "" : "\n<" + m.url() + "|Open in Agent Commander>";
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("text", "*" + slackEscape(m.title()) + "*\n" + slackEscape(m.text()) + link);
        body.put("unfurl_links", false);
        call("slack", request(config.slackWebhookUrl()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build());
    }

    private HttpRequest.Builder auth(HttpRequest.Builder b) {
        return config.ntfyToken() == null ? b : b.header("Authorization", "Bearer " + config.ntfyToken());
    }

    private static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("User-Agent", "agent-commander");
    }

    private void call(String channel, HttpRequest req) throws Failed, InterruptedException {
        HttpResponse<Void> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new Failed(channel + ": " + e.getClass().getSimpleName());
        }
        if (r.statusCode() / 100 != 2) {
            throw new Failed(channel + ": HTTP " + r.statusCode());
        }
    }

    /** HMAC-SHA256 of {@code body} under {@code secret}, lower-case hex (what receivers recompute). */
    static String hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** ntfy sequence ids are letters, digits, - and _ (at most 64). */
    static String sequenceId(String id) {
        String s = id.replaceAll("[^A-Za-z0-9_-]", "_");
        return s.length() > 64 ? s.substring(0, 64) : s;
    }

    /** Header values are one line of printable ASCII here (a tool or host name may hold anything). */
    private static String headerText(String s) {
        return s.replaceAll("[^\\x20-\\x7E]", "?");
    }

    private static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
