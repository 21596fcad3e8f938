package dev.agentcommander.controlplane.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;

/**
 * The few plain HTML pages sign-in shows a person (the sign-in page, a refusal, a failed sign-in). No script and
 * no style inline, so the Content-Security-Policy stays strict; every value is escaped: a GitHub login or email is
 * text, never markup. They share the dashboard's stylesheet ({@code /app.css}), so sign-in looks like the rest of
 * the dashboard and still works without JavaScript.
 */
final class Pages {
    private Pages() {
    }

    /** {@code /login}: "Sign in with GitHub" when it is configured, and how to get a local sign-in link. */
    static void login(ServerResponse res, boolean github, String next, String notice) {
        StringBuilder b = new StringBuilder();
        if (notice != null) {
            b.append("<p role=\"status\">").append(esc(notice)).append("</p>\n");
        }
        if (github) {
            String href = "/auth/github/login" + (next == null || next.equals("/") ? ""
                    : "?next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8));
            b.append("<p><a class=\"github\" href=\"").append(esc(href)).append("\">Sign in with GitHub</a></p>\n");
        } else {
            b.append("<p>GitHub sign-in is not configured on this server (GITHUB_CLIENT_ID).</p>\n");
        }
        b.append("<p>On the machine that runs the control plane, <code>./commander login-link</code> prints a one-time "
                + "sign-in link (valid 10 minutes).</p>\n");
        send(res, 200, "Sign in", b.toString());
    }

    /** 403: who GitHub said the person is, and why they may not sign in. */
    static void refused(ServerResponse res, String login, List<String> emailsSeen, String why) {
        StringBuilder b = new StringBuilder();
        b.append("<p>GitHub user <strong>").append(esc(login)).append("</strong> may not sign in to this Agent "
                + "Commander: ").append(esc(why)).append("</p>\n<p>Emails GitHub reported:</p>\n<ul>\n");
        if (emailsSeen.isEmpty()) {
            b.append("<li>(none)</li>\n");
        }
        emailsSeen.forEach(e -> b.append("<li>").append(esc(e)).append("</li>\n"));
        b.append("</ul>\n<p>Ask an admin to add a verified email of yours to ALLOWED_EMAILS (or your org to "
                + "ALLOWED_ORGS).</p>\n<p><a href=\"/login\">Back to sign-in</a></p>\n");
        send(res, 403, "Sign-in refused", b.toString());
    }

    /** A sign-in that failed for a reason the person can act on (400, 403, 502). */
    static void failed(ServerResponse res, int status, String message) {
        send(res, status, "Sign-in failed", "<p>" + esc(message)
                + "</p>\n<p><a href=\"/login\">Back to sign-in</a></p>\n");
    }

    private static void send(ServerResponse res, int status, String title, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + esc(title)
                + " · Agent Commander</title>\n<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n"
                + "<link rel=\"stylesheet\" href=\"/app.css\">\n</head>\n<body class=\"signin\">\n<main>\n<h1>"
                + esc(title) + "</h1>\n" + body + "</main>\n</body>\n</html>\n");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
