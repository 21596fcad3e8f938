package dev.agentcommander.controlplane;

import io.helidon.common.tls.Tls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * HTTPS and WSS served by the control plane itself, from {@code TLS_CERT_FILE} (PEM: the certificate, then any
 * intermediates) and {@code TLS_KEY_FILE} (PEM private key). Both files are read and checked at start — readable,
 * parseable, and the key belongs to the certificate — so a wrong path or a mismatched pair is a configuration
 * error naming the variable, not a server that fails every handshake. Renewed files are read at the next start.
 * Without both variables the server speaks plain HTTP (behind a reverse proxy that terminates TLS, or on loopback).
 */
public record ServerTls(Path certFile, Path keyFile, List<X509Certificate> chain, PrivateKey key) {
    public static final String CERT_KEY = "TLS_CERT_FILE";
    public static final String KEY_KEY = "TLS_KEY_FILE";

    public ServerTls {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new ServerConfig.ConfigException(CERT_KEY, certFile + " holds no certificate");
        }
        if (!matches(key, chain.get(0))) {
            throw new ServerConfig.ConfigException(KEY_KEY, keyFile + " is not the private key of the certificate "
                    + "in " + CERT_KEY + " (" + chain.get(0).getSubjectX500Principal().getName() + "); the first "
                    + "certificate in " + certFile + " must be the server's own");
        }
    }

    @Override
    public String toString() { // never the key
        return "ServerTls[cert=" + certFile + ", key=" + keyFile + ", subject="
                + chain.get(0).getSubjectX500Principal().getName() + "]";
    }

    /** Reads and checks both files; null when neither variable is set. */
    static ServerTls fromEnv(Map<String, String> env) {
        String cert = value(env, CERT_KEY);
        String key = value(env, KEY_KEY);
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new ServerConfig.ConfigException(cert == null ? CERT_KEY : KEY_KEY, "TLS_CERT_FILE and "
                    + "TLS_KEY_FILE go together (set both to serve HTTPS, or neither for plain HTTP)");
        }
        Path certFile = Path.of(cert).toAbsolutePath();
        Path keyFile = Path.of(key).toAbsolutePath();
        return new ServerTls(certFile, keyFile, PemFiles.certificates(CERT_KEY, certFile),
                PemFiles.privateKey(KEY_KEY, keyFile));
    }

    /** What the WebServer listens with. */
    Tls helidon() {
        return Tls.builder().privateKey(key).privateKeyCertChain(chain).build();
    }

    /** A warning for the log when the certificate is not (or no longer) valid at {@code now}; null when it is. */
    String validityWarning(Instant now) {
        X509Certificate leaf = chain.get(0);
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            return CERT_KEY + ": the certificate in " + certFile + " expired at " + leaf.getNotAfter().toInstant()
                    + "; browsers and agentd will refuse it until it is renewed (restart to load the new file)";
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            return CERT_KEY + ": the certificate in " + certFile + " is valid only from "
                    + leaf.getNotBefore().toInstant() + " (is this machine's clock right?)";
        }
        return null;
    }

    /** Whether {@code key} signs what the certificate's public key verifies (works for RSA, EC and EdDSA). */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> null;
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        if (alg == null) {
            return key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm());
        }
        try {
            byte[] probe = "agent-commander: does this key belong to this certificate".getBytes(StandardCharsets.UTF_8);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // a key of one kind, a certificate of another
        }
    }

    private static String value(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
