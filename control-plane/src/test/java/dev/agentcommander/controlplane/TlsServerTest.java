package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import dev.agentcommander.controlplane.testkit.TestCerts;
import io.helidon.webserver.WebServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane serving HTTPS itself from PEM files (TLS_CERT_FILE, TLS_KEY_FILE): REST and the sign-in cookie
 * over https, plain HTTP refused on the same port, the key formats people have (PKCS#8, PKCS#1 RSA, SEC 1 EC as
 * openssl writes them), and every configuration mistake an error naming its variable.
 */
class TlsServerTest {
    private static Path dir;
    private static TestCerts certs;
    private static EmbeddedDatabase pg;
    private static ControlPlane cp;
    private static final ByteArrayOutputStream STDOUT = new ByteArrayOutputStream();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "tls");
        certs = TestCerts.create(dir.resolve("certs"), "RSA", "dns:localhost", "ip:127.0.0.1");
        pg = EmbeddedDatabase.start(dir.resolve("pg"));
        ServerConfig config = ServerConfig.fromEnv(Map.of("DATABASE_URL", pg.jdbcUrl(), "HOST", "127.0.0.1",
                "PORT", "0", "DATA_DIR", dir.resolve("cp").toString(),
                "JWT_SECRET", "tls-secret-tls-secret-0123456789-01",
                "TLS_CERT_FILE", certs.chain().toString(), "TLS_KEY_FILE", certs.key().toString()));
        cp = new ControlPlane(config, Clock.systemUTC())
                .start(null, new PrintStream(STDOUT, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws IOException {
        if (cp != null) {
            cp.close();
        }
        if (pg != null) {
            pg.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static HttpClient https() throws Exception {
        return HttpClient.newBuilder().sslContext(certs.trustingCa()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> get(HttpClient c, String url) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void restIsServedOverHttpsWithThePemCertificate() throws Exception {
        assertThat(STDOUT.toString(StandardCharsets.UTF_8))
                .contains("control-plane listening on https://127.0.0.1:" + cp.port());
        HttpResponse<String> health = get(https(), "https://localhost:" + cp.port() + "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"ok\"");
        assertThat(health.sslSession()).isPresent();
        assertThat(health.sslSession().get().getPeerCertificates()).as("the server sends its chain").hasSize(2);
        String admin = cp.tokens().issue("tls-test", Role.ADMIN, Duration.ofMinutes(5));
        HttpResponse<String> hosts = https().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + cp.port()
                + "/v1/hosts")).header("Authorization", "Bearer " + admin).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hosts.statusCode()).isEqualTo(200);
    }

    @Test
    void theSessionCookieIsSecureWhenTheServerSpeaksHttps() throws Exception {
        HttpResponse<String> r = get(https(), "https://127.0.0.1:" + cp.port() + "/auth/link?code="
                + cp.signIn().links().mint(Role.VIEWER));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("ac_session=")
                .contains("Secure").contains("HttpOnly"));
    }

    @Test
    void plainHttpToTheTlsPortGetsNoAnswer() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> get(plain, "http://127.0.0.1:" + cp.port() + "/health"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefused() {
        HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> get(defaults, "https://localhost:" + cp.port() + "/health"))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void certAndKeyGoTogetherAndUnreadableFilesAreNamed() {
        Map<String, String> base = Map.of("DATA_DIR", tmp.toString());
        assertThatThrownBy(() -> ServerConfig.fromEnv(with(base, "TLS_CERT_FILE", certs.chain().toString())))
                .hasMessageStartingWith("TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together");
        assertThatThrownBy(() -> ServerConfig.fromEnv(with(base, "TLS_KEY_FILE", certs.key().toString())))
                .hasMessageStartingWith("TLS_CERT_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together");
        Path missing = tmp.resolve("nope.pem");
        assertThatThrownBy(() -> ServerConfig.fromEnv(with(base, "TLS_CERT_FILE", missing.toString(),
                "TLS_KEY_FILE", certs.key().toString())))
                .isInstanceOf(ServerConfig.ConfigException.class)
                .hasMessageStartingWith("TLS_CERT_FILE: cannot read " + missing);
        assertThatThrownBy(() -> ServerConfig.fromEnv(with(base, "TLS_CERT_FILE", certs.chain().toString(),
                "TLS_KEY_FILE", missing.toString())))
                .hasMessageStartingWith("TLS_KEY_FILE: cannot read " + missing);
        assertThatThrownBy(() -> ServerConfig.fromEnv(with(base, "TLS_CERT_FILE", certs.key().toString(),
                "TLS_KEY_FILE", certs.key().toString())))
                .hasMessageStartingWith("TLS_CERT_FILE: " + certs.key() + " holds no PEM certificate");
        assertThatThrownBy(() -> ServerConfig.fromEnv(with(base, "TLS_CERT_FILE", certs.chain().toString(),
                "TLS_KEY_FILE", certs.chain().toString())))
                .hasMessageStartingWith("TLS_KEY_FILE: " + certs.chain() + " holds no PEM private key");
        assertThatThrownBy(() -> ServerConfig.fromEnv(with(base, "TLS_CERT_FILE", certs.chain().toString(),
                "TLS_KEY_FILE", certs.key().toString(), "PUBLIC_URL", "http://commander.example.com")))
                .hasMessageStartingWith("PUBLIC_URL: is http:// but TLS_CERT_FILE is set");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtStart() throws Exception {
        Path other = Files.writeString(tmp.resolve("other.pem"), TestCerts.pem("PRIVATE KEY",
                java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate().getEncoded()));
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DATA_DIR", tmp.toString(),
                "TLS_CERT_FILE", certs.chain().toString(), "TLS_KEY_FILE", other.toString())))
                .hasMessageStartingWith("TLS_KEY_FILE: " + other + " is not the private key of the certificate");
        Path encrypted = Files.writeString(tmp.resolve("enc.pem"),
                TestCerts.pem("ENCRYPTED PRIVATE KEY", new byte[64]));
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DATA_DIR", tmp.toString(),
                "TLS_CERT_FILE", certs.chain().toString(), "TLS_KEY_FILE", encrypted.toString())))
                .hasMessageStartingWith("TLS_KEY_FILE: " + encrypted + " is encrypted");
        Path legacy = Files.writeString(tmp.resolve("legacy.pem"), "-----BEGIN RSA PRIVATE KEY-----\n"
                + "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n"
                + "-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DATA_DIR", tmp.toString(),
                "TLS_CERT_FILE", certs.chain().toString(), "TLS_KEY_FILE", legacy.toString())))
                .hasMessageStartingWith("TLS_KEY_FILE: " + legacy + " is encrypted");
    }

    @Test
    void pkcs1RsaAndSec1EcKeysAsOpensslWritesThemAreServed() throws Exception {
        Path rsa = openssl(tmp, "pkey", "-in", certs.key().toString(), "-traditional");
        assertThat(Files.readString(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        ServerTls pkcs1 = ServerTls.fromEnv(Map.of("TLS_CERT_FILE", certs.chain().toString(),
                "TLS_KEY_FILE", rsa.toString()));
        assertThat(pkcs1.key().getAlgorithm()).isEqualTo("RSA");
        servesHandshake(pkcs1, certs);

        // an EC key made by `openssl ecparam -genkey` (EC PARAMETERS, then EC PRIVATE KEY) for a self-signed cert
        Path ecKey = openssl(tmp, "ecparam", "-name", "prime256v1", "-genkey");
        assertThat(Files.readString(ecKey)).contains("-----BEGIN EC PARAMETERS-----", "-----BEGIN EC PRIVATE KEY-----");
        Path ecCert = openssl(tmp, "req", "-new", "-x509", "-key", ecKey.toString(), "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost");
        ServerTls sec1 = ServerTls.fromEnv(Map.of("TLS_CERT_FILE", ecCert.toString(),
                "TLS_KEY_FILE", ecKey.toString()));
        assertThat(sec1.key().getAlgorithm()).isEqualTo("EC");
        servesHandshake(sec1, new TestCerts(tmp, ecCert, ecCert, ecKey));
    }

    /** A Helidon server with {@code tls} answers https://localhost for a client trusting {@code trust.ca()}. */
    private static void servesHandshake(ServerTls tls, TestCerts trust) throws Exception {
        WebServer server = WebServer.builder().host("127.0.0.1").port(0).tls(tls.helidon())
                .routing(r -> r.get("/", (req, res) -> res.send("tls ok"))).build().start();
        try {
            SSLContext ctx = trust.trustingCa();
            HttpClient c = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
            assertThat(get(c, "https://localhost:" + server.port() + "/").body()).isEqualTo("tls ok");
        } finally {
            server.stop();
        }
    }

    private static int n;

    /** Runs openssl with {@code args}, its output going to a new file, which it returns. */
    private static Path openssl(Path dir, String... args) throws IOException, InterruptedException {
        Path out = dir.resolve("openssl-" + (++n) + ".pem");
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl %s: %s", String.join(" ", args), text).isZero();
        return out;
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
