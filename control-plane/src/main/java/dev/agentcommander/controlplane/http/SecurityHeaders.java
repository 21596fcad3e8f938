package dev.agentcommander.controlplane.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * The headers every HTTP response carries, REST, static file or error alike. The dashboard shows text an agent or
 * a pane sent, so the Content-Security-Policy is the second line after "never markup": scripts, styles and
 * everything else only from this origin, no plugins, no {@code <base>} rewriting, and no framing by another site
 * (clickjacking the Allow button). Styles may be inline because xterm.js sizes and colours its terminal through
 * {@code <style>} elements and style attributes it writes at run time; scripts stay strictly same-origin.
 * Browsers must not sniff a JSON reply into HTML, and no URL leaks in a Referer.
 */
final class SecurityHeaders {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    private static final HeaderName CSP_HEADER = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName NOSNIFF_HEADER = HeaderNames.create("X-Content-Type-Options");
    private static final HeaderName REFERRER_HEADER = HeaderNames.create("Referrer-Policy");

    private SecurityHeaders() {
    }

    /** Sets the headers on {@code res} (again after an error handler reset the response). */
    static void apply(ServerResponse res) {
        res.header(CSP_HEADER, CSP);
        res.header(NOSNIFF_HEADER, "nosniff");
        res.header(REFERRER_HEADER, "no-referrer");
    }
}
