package dev.agentcommander.controlplane;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys, read with the JDK alone, so that the files certbot, a corporate CA or
 * {@code openssl} hand out work as they are: keys in PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}) and SEC 1 EC ({@code BEGIN EC PRIVATE KEY}, with or without the
 * {@code EC PARAMETERS} block openssl puts before it). Helidon's own PEM reader refuses SEC 1 EC keys and any text
 * before the first block. Every error names the variable the file came from and the file.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    /** AlgorithmIdentifier of rsaEncryption with its NULL parameters, as PKCS#8 wraps a PKCS#1 key. */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** The OID id-ecPublicKey (1.2.840.10045.2.1), encoded. */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    private PemFiles() {
    }

    /** The certificates in {@code file}, leaf first, as the server sends them. */
    static List<X509Certificate> certificates(String key, Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(key, file)) {
                if (b.type().equals("CERTIFICATE")) {
                    certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException e) {
            throw new ServerConfig.ConfigException(key, file + " holds a certificate that cannot be read: "
                    + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new ServerConfig.ConfigException(key, file
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(certs);
    }

    /** The one private key in {@code file}. */
    static PrivateKey privateKey(String key, Path file) {
        List<Block> keys = blocks(key, file).stream().filter(b -> b.type().endsWith("PRIVATE KEY")).toList();
        if (keys.size() != 1) {
            throw new ServerConfig.ConfigException(key, file + (keys.isEmpty()
                    ? " holds no PEM private key (-----BEGIN PRIVATE KEY-----)" : " holds " + keys.size()
                    + " private keys; keep one"));
        }
        Block b = keys.get(0);
        try {
            return switch (b.type()) {
                case "PRIVATE KEY" -> pkcs8(b.der());
                case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA")
                        .generatePrivate(new PKCS8EncodedKeySpec(wrap(RSA_ALGORITHM, b.der())));
                case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC")
                        .generatePrivate(new PKCS8EncodedKeySpec(wrap(ecAlgorithm(b.der()), b.der())));
                case "ENCRYPTED PRIVATE KEY" -> throw new ServerConfig.ConfigException(key, file
                        + " is encrypted; the server cannot ask for a passphrase: decrypt it once (openssl pkey "
                        + "-in " + file + " -out key.pem) and keep that file private (chmod 600)");
                default -> throw new ServerConfig.ConfigException(key, file + ": a " + b.type()
                        + " is not supported (use PKCS#8 BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC "
                        + "PRIVATE KEY)");
            };
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ServerConfig.ConfigException(key, file + " holds a " + b.type() + " that cannot be read: "
                    + e.getMessage());
        }
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("not an RSA, EC or EdDSA key (" + last.getMessage() + ")");
    }

    /**
     * The AlgorithmIdentifier of a SEC 1 ECPrivateKey: id-ecPublicKey with the curve named in its
     * {@code parameters [0]}. SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING }.
     */
    private static byte[] ecAlgorithm(byte[] sec1) {
        Der seq = Der.read(sec1, 0);
        if (seq.tag() != 0x30) {
            throw new IllegalArgumentException("not a DER SEQUENCE");
        }
        int at = seq.start();
        while (at < seq.end()) {
            Der item = Der.read(sec1, at);
            if (item.tag() == 0xA0) { // parameters [0] EXPLICIT: the curve's OID
                Der oid = Der.read(sec1, item.start());
                if (oid.tag() != 0x06) {
                    throw new IllegalArgumentException("the curve is not a named curve (explicit parameters)");
                }
                ByteArrayOutputStream alg = new ByteArrayOutputStream();
                alg.writeBytes(EC_PUBLIC_KEY_OID);
                alg.write(sec1, item.start(), oid.end() - item.start());
                return sequence(0x30, alg.toByteArray());
            }
            at = item.end();
        }
        throw new IllegalArgumentException("the key does not name its curve (no parameters [0])");
    }

    /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING key }. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.writeBytes(sequence(0x04, key));
        return sequence(0x30, body.toByteArray());
    }

    private static byte[] sequence(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(String key, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new ServerConfig.ConfigException(key, "cannot read " + file + ": " + e);
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            if (body.contains(":")) { // RFC 1421 headers: only the legacy encrypted form of openssl has them
                if (body.contains("ENCRYPTED")) {
                    throw new ServerConfig.ConfigException(key, file + " is encrypted; the server cannot ask for a "
                            + "passphrase: decrypt it once (openssl pkey -in " + file + " -out key.pem) and keep that "
                            + "file private (chmod 600)");
                }
                body = body.replaceAll("(?m)^[A-Za-z-]+:.*$", "");
            }
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body.strip())));
            } catch (IllegalArgumentException e) {
                throw new ServerConfig.ConfigException(key, file + ": the " + m.group(1) + " block is not base64");
            }
        }
        return out;
    }

    /** One DER element: its tag and where its content starts and ends in the array. */
    private record Der(int tag, int start, int end) {
        static Der read(byte[] b, int at) {
            if (at + 2 > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            int tag = b[at] & 0xFF;
            int len = b[at + 1] & 0xFF;
            int start = at + 2;
            if (len >= 0x80) {
                int bytes = len & 0x7F;
                if (bytes == 0 || bytes > 3 || start + bytes > b.length) {
                    throw new IllegalArgumentException("bad DER length");
                }
                len = 0;
                for (int i = 0; i < bytes; i++) {
                    len = (len << 8) | (b[start + i] & 0xFF);
                }
                start += bytes;
            }
            if (start + len > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            return new Der(tag, start, start + len);
        }
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
