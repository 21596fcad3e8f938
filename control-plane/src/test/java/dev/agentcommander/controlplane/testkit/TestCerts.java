package dev.agentcommander.controlplane.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority and a server certificate it signed, made for one test with the JDK's own {@code keytool}
 * (no library, nothing downloaded): {@code ca} is the CA's certificate (PEM, what {@code control_plane.ca_file}
 * names), {@code chain} the server certificate then the CA's (what {@code TLS_CERT_FILE} names), {@code key} the
 * server's private key as PKCS#8 PEM ({@code TLS_KEY_FILE}). Valid for two days.
 */
public record TestCerts(Path dir, Path ca, Path chain, Path key) {
    private static final String PASS = "changeit";

    /**
     * @param keyAlg {@code RSA} or {@code EC}
     * @param sans the subject alternative names, keytool style: {@code dns:localhost}, {@code ip:127.0.0.1}
     */
    public static TestCerts create(Path dir, String keyAlg, String... sans) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path caStore = dir.resolve("ca.p12");
        Path serverStore = dir.resolve("server.p12");
        Path csr = dir.resolve("server.csr");
        Path serverPem = dir.resolve("server-only.pem");
        Path ca = dir.resolve("ca.pem");
        keytool("-genkeypair", "-keystore", caStore.toString(), "-alias", "ca", "-keyalg", "EC",
                "-dname", "CN=Agent Commander test CA", "-ext", "bc:c", "-validity", "2");
        keytool("-exportcert", "-keystore", caStore.toString(), "-alias", "ca", "-rfc", "-file", ca.toString());
        keytool("-genkeypair", "-keystore", serverStore.toString(), "-alias", "server", "-keyalg", keyAlg,
                "-dname", "CN=agent-commander-test-server", "-validity", "2");
        keytool("-certreq", "-keystore", serverStore.toString(), "-alias", "server", "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-keystore", caStore.toString(), "-alias", "ca",
                "-infile", csr.toString(), "-outfile", serverPem.toString(), "-rfc", "-validity", "2"));
        if (sans.length > 0) {
            gencert.addAll(List.of("-ext", "san=" + String.join(",", sans)));
        }
        keytool(gencert.toArray(String[]::new));
        Path chain = Files.writeString(dir.resolve("chain.pem"), Files.readString(serverPem) + Files.readString(ca));
        Path key = dir.resolve("key.pem");
        Files.writeString(key, pem("PRIVATE KEY", privateKey(serverStore).getEncoded()));
        return new TestCerts(dir, ca, chain, key);
    }

    /** An SSLContext that trusts this CA alone (a test's HTTPS client). */
    public SSLContext trustingCa() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static java.security.PrivateKey privateKey(Path store) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            return (java.security.PrivateKey) ks.getKey("server", PASS.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS, "-noprompt"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
