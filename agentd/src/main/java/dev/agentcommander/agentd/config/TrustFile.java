package dev.agentcommander.agentd.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code control_plane.ca_file}, read once at start: the PEM certificates in it (a CA bundle may hold several, and
 * the text {@code openssl} writes between them). A file that is missing, unreadable or holds no certificate stops
 * agentd at start naming the key, instead of every connection failing later with a TLS error.
 */
final class TrustFile {
    private static final String KEY = "control_plane.ca_file";
    private static final Pattern CERT = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]*?-----END CERTIFICATE-----");

    private TrustFile() {
    }

    static List<X509Certificate> read(Path file) {
        String text;
        try {
            text = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(KEY + ": " + file + " does not exist");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(KEY + ": cannot read " + file + ": " + e, e);
        }
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = CERT.matcher(text);
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(
                        m.group().getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                    out.add((X509Certificate) c);
                }
            }
        } catch (CertificateException e) {
            throw new ConfigException(KEY + ": " + file + " holds a certificate that cannot be read: "
                    + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new ConfigException(KEY + ": " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(out);
    }
}
