package dev.agentcommander.controlplane.auth;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * This site's public origin, for what cookie authentication must check: the {@code Origin} of a state-changing
 * request and of a WebSocket upgrade (cross-site request forgery and cross-site WebSocket hijacking), the OAuth
 * callback URL and the sign-in link. It is {@code PUBLIC_URL}'s origin; with PUBLIC_URL unset and the server on
 * loopback, {@code http://127.0.0.1:PORT}, {@code http://localhost:PORT} and {@code http://[::1]:PORT} (the port
 * known once the server listens; {@code https} when the server serves TLS itself). With neither, no Origin matches: a
 * browser can still sign in and read, but every cookie-authenticated change that names an Origin is refused.
 */
public final class WebOrigin {
    private final String publicUrl;
    private final boolean loopback;
    private final boolean tls;
    private volatile List<String> allowed;
    private volatile String base;

    public WebOrigin(String publicUrl, String host) {
        this(publicUrl, host, false);
    }

    /** @param tls whether the server itself serves HTTPS (TLS_CERT_FILE) */
    public WebOrigin(String publicUrl, String host, boolean tls) {
        this.publicUrl = publicUrl == null ? null : strip(publicUrl);
        this.loopback = isLoopback(host);
        this.tls = tls;
        this.allowed = this.publicUrl == null ? List.of() : List.of(origin(URI.create(this.publicUrl)));
        this.base = this.publicUrl;
    }

    /** Called once the server listens on {@code port}. */
    public void listening(int port) {
        if (publicUrl == null && loopback) {
            String scheme = tls ? "https" : "http";
            allowed = List.of(scheme + "://127.0.0.1:" + port, scheme + "://localhost:" + port,
                    scheme + "://[::1]:" + port);
            base = scheme + "://127.0.0.1:" + port;
        }
    }

    /** Whether {@code origin} (an Origin header's value) is this site. */
    public boolean allows(String origin) {
        return origin != null && allowed.contains(origin.strip().toLowerCase(Locale.ROOT));
    }

    /** The site's base URL without a trailing slash, or null when it is not known (PUBLIC_URL unset, not loopback). */
    public String baseUrl() {
        return base;
    }

    /** Whether cookies get {@code Secure}: PUBLIC_URL is https, or (without it) the server serves HTTPS itself. */
    public boolean secure() {
        return publicUrl != null ? publicUrl.startsWith("https://") : tls;
    }

    public static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.equals("[::1]")
                || host.startsWith("127.");
    }

    /** {@code scheme://host[:port]}, lower case, without a default port. */
    static String origin(URI u) {
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost().toLowerCase(Locale.ROOT);
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        int port = u.getPort();
        boolean dflt = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + host + (dflt ? "" : ":" + port);
    }

    private static String strip(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    /** The value of cookie {@code name} in a {@code Cookie} header, or null. */
    public static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
                String v = part.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v;
            }
        }
        return null;
    }
}
