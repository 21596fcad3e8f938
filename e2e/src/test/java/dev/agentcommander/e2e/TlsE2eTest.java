package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import dev.agentcommander.controlplane.testkit.TestCerts;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane serving HTTPS/WSS from PEM files and agentd dialling it with {@code wss://}: with the CA in
 * {@code control_plane.ca_file} the link comes up and the host's panes appear over HTTPS; without it, or dialling a
 * host name the certificate does not list, agentd never connects and its log says why. The certificate names
 * {@code localhost} only, so {@code 127.0.0.1} is the wrong host name.
 */
class TlsE2eTest {
    private static final String SECRET = "tls-e2e-secret-tls-e2e-secret-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestCerts certs;
    static EmbeddedDatabase pg;
    static JavaProcess controlPlane;
    static PrivateTmux tmux;
    static HttpClient https;
    static int port;
    static String hostToken;
    static String hostId;
    static final List<JavaProcess> agents = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create(dir.resolve("certs"), "EC", "dns:localhost");
        pg = EmbeddedDatabase.start(dir.resolve("pg"));
        controlPlane = JavaProcess.start("control-plane", dir.resolve("logs"), List.of("-Xmx256m"),
                "dev.agentcommander.controlplane.Main", List.of("serve"), Map.of("DATABASE_URL", pg.jdbcUrl(),
                        "JWT_SECRET", SECRET, "HOST", "127.0.0.1", "PORT", "0",
                        "DATA_DIR", dir.resolve("cp").toString(),
                        "TLS_CERT_FILE", certs.chain().toString(), "TLS_KEY_FILE", certs.key().toString()));
        port = Integer.parseInt(controlPlane.awaitLine("control-plane listening on https://[^:]+:(\\d+)",
                Duration.ofSeconds(60)));
        https = HttpClient.newBuilder().sslContext(certs.trustingCa()).connectTimeout(Duration.ofSeconds(10)).build();
        JsonNode created = call("POST", "/v1/hosts", "{\"name\":\"tls-host\"}");
        hostToken = created.get("token").asText();
        JsonNode host = created.get("host");
        hostId = host.has("id") ? host.get("id").asText() : host.get("host_id").asText();
        tmux = PrivateTmux.with(Files.createDirectories(dir.resolve("tmux"))).size(120, 40).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (JavaProcess a : agents) {
            a.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        if (tmux != null) {
            tmux.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void agentdTrustingTheCaFileConnectsOverWssAndItsPanesAppearOverHttps() throws Exception {
        String pane = tmux.window(dir, "sleep", "1000");
        JavaProcess agentd = agentd("trusted", "wss://localhost:" + port + "/v1/agent", certs.ca());
        JsonNode session = Await.value("pane " + pane + " over https", Duration.ofSeconds(60), () -> {
            for (JsonNode s : call("GET", "/v1/sessions", null).path("items")) {
                if (pane.equals(s.path("tmux").path("pane_id").asText())) {
                    return s;
                }
            }
            return null;
        });
        assertThat(session.get("host_id").asText()).isEqualTo(hostId);
        assertThat(agentd.output()).contains("link up: wss://localhost:" + port);
        agentd.stop();
    }

    @Test
    void withoutTheCaFileAgentdRefusesTheCertificateAndSaysWhy() throws Exception {
        JavaProcess agentd = agentd("untrusted", "wss://localhost:" + port + "/v1/agent", null);
        String line = agentd.awaitLine("(link to wss://localhost:\\d+/v1/agent failed: TLS: .*)",
                Duration.ofSeconds(60));
        assertThat(line).contains("is not signed by an authority agentd trusts").contains("set control_plane.ca_file");
        assertThat(agentd.output()).doesNotContain("link up");
        agentd.stop();
    }

    @Test
    void dialingAHostNameTheCertificateDoesNotListIsRefusedAndSaysWhy() throws Exception {
        JavaProcess agentd = agentd("wrong-host", "wss://127.0.0.1:" + port + "/v1/agent", certs.ca());
        String line = agentd.awaitLine("(link to wss://127.0.0.1:\\d+/v1/agent failed: TLS: .*)",
                Duration.ofSeconds(60));
        assertThat(line).contains("does not name the host 127.0.0.1");
        assertThat(agentd.output()).doesNotContain("link up");
        agentd.stop();
    }

    /** agentd as a child JVM on this stack's tmux, dialling {@code url}, trusting {@code caFile} when not null. */
    private static JavaProcess agentd(String name, String url, Path caFile) throws Exception {
        Path state = Files.createDirectories(dir.resolve("agentd-" + name));
        Files.createDirectories(state.resolve("tmp"));
        Path token = Files.writeString(state.resolve("token"), hostToken);
        String yaml = "control_plane:\n  url: " + url + "\n  token_file: " + token + "\n"
                + (caFile == null ? "" : "  ca_file: " + caFile + "\n")
                + "host_name: tls-host\ntmux:\n  socket: " + tmux.socket() + "\n  poll_interval_ms: 500\n"
                + "storage:\n  state_dir: " + state.resolve("state") + "\n";
        Path config = Files.writeString(state.resolve("agentd.yaml"), yaml);
        List<String> jvm = new ArrayList<>(JavaProcess.chronicleFlags());
        jvm.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-Djna.tmpdir=" + state.resolve("tmp"),
                "-Djava.io.tmpdir=" + state.resolve("tmp")));
        JavaProcess p = JavaProcess.start("agentd-" + name, dir.resolve("logs"), jvm, "dev.agentcommander.agentd.Main",
                List.of("run", "--config", config.toString()), Map.of());
        agents.add(p);
        return p;
    }

    /** A REST call over HTTPS as an admin; the parsed body. */
    private static JsonNode call(String method, String path, String body) {
        String jwt = new Tokens(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue("tls-e2e", Role.ADMIN, Duration.ofMinutes(10));
        try {
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                    .header("Authorization", "Bearer " + jwt).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
