package dev.agentcommander.agentd.link;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Whom a {@code wss://} control plane may be: a certificate chaining to the JVM's trust store (the system's CAs)
 * or to one of the extra CAs of {@code control_plane.ca_file}, and naming the host agentd dialled (the socket does
 * the hostname check). Built on first use, so a {@code ws://} link never loads the TLS stack. When a handshake
 * fails, {@link #explain} turns the JDK's message into what to do about it, for the log.
 */
public final class LinkTls {
    private final List<X509Certificate> extraCas;
    private final String caFile;
    private volatile SSLSocketFactory factory;

    /** @param caFile where {@code extraCas} came from, for messages; null when there are none */
    public LinkTls(List<X509Certificate> extraCas, String caFile) {
        this.extraCas = List.copyOf(extraCas);
        this.caFile = caFile;
    }

    /** The JVM's trust store only. */
    public static LinkTls systemOnly() {
        return new LinkTls(List.of(), null);
    }

    /** The socket factory trusting the system's CAs plus {@code ca_file}'s; built once. */
    public SSLSocketFactory factory() throws GeneralSecurityException {
        SSLSocketFactory f = factory;
        if (f == null) {
            synchronized (this) {
                if (factory == null) {
                    factory = build();
                }
                f = factory;
            }
        }
        return f;
    }

    private SSLSocketFactory build() throws GeneralSecurityException {
        if (extraCas.isEmpty()) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        system.init((KeyStore) null); // javax.net.ssl.trustStore if set, else the JDK's cacerts
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            anchors.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        int n = 0;
        for (TrustManager tm : system.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    anchors.setCertificateEntry("system-" + n++, c);
                }
            }
        }
        for (X509Certificate c : extraCas) {
            anchors.setCertificateEntry("ca-file-" + n++, c);
        }
        TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        both.init(anchors);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, both.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }

    /**
     * The TLS failure {@code e} with host:port and the likely fix in its message, of the same type (a failed
     * handshake stays an {@link SSLHandshakeException}), the JDK's exception as its cause.
     */
    /** {@code e} with a message that says what to do about it. */
    public SSLException explain(SSLException e, String host, int port) {
        String at = host + ":" + port;
        String why;
        if (has(e, CertificateExpiredException.class)) {
            why = "the control plane's certificate at " + at + " has expired: renew it";
        } else if (has(e, CertificateNotYetValidException.class)) {
            why = "the control plane's certificate at " + at + " is not valid yet (check this machine's clock)";
        } else if (has(e, CertPathBuilderException.class) || text(e).contains("pkix path")) {
            why = "the control plane's certificate at " + at + " is not signed by an authority agentd trusts ("
                    + (caFile == null ? "the JVM's trust store; set control_plane.ca_file to the PEM file of the "
                    + "CA that signed it" : "the JVM's trust store and control_plane.ca_file " + caFile
                    + ", which does not hold the CA that signed it") + ")";
        } else if (text(e).contains("no subject alternative") || text(e).contains("no name matching")) {
            why = "the control plane's certificate does not name the host " + host + " that control_plane.url "
                    + "dials: use a host name the certificate lists, or reissue it with " + host + " as a subject "
                    + "alternative name";
        } else if (text(e).contains("plaintext") || text(e).contains("unrecognized ssl message")) {
            why = at + " did not answer in TLS (a plain-HTTP control plane? then control_plane.url is ws://)";
        } else {
            why = "TLS handshake with " + at + " failed";
        }
        String m = "TLS: " + why + " [" + e.getMessage() + "]";
        SSLException out = e instanceof SSLHandshakeException ? new SSLHandshakeException(m) : new SSLException(m);
        out.initCause(e);
        return out;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String text(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append(' ');
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
