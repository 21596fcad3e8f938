package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.BrowserSessions;
import dev.agentcommander.controlplane.auth.RateLimiter;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.auth.WebOrigin;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.Json;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Request and response plumbing shared by the REST handlers: auth per route, bounded JSON bodies, JSON replies. */
final class Http {
    static final int MAX_BODY = 256 * 1024;
    static final HeaderName CSRF_HEADER = HeaderNames.create("X-CSRF-Token");

    private final Tokens tokens;
    private final RateLimiter limiter;
    private final BrowserSessions sessions;
    private final WebOrigin origin;

    Http(Tokens tokens, RateLimiter limiter, BrowserSessions sessions, WebOrigin origin) {
        this.tokens = tokens;
        this.limiter = limiter;
        this.sessions = sessions;
        this.origin = origin;
    }

    /**
     * The caller, who must hold at least {@code role}: 401 without a valid token or session cookie, 403
     * {@code csrf} for a cookie-authenticated change without the session's {@code X-CSRF-Token} or from a foreign
     * {@code Origin}, 403 with too small a role, 429 when a state-changing request exceeds the caller's rate.
     */
    Tokens.Principal require(ServerRequest req, Role role) {
        return check(req, role, authenticate(req).principal());
    }

    /** A bearer JWT when the request has one (then the cookie is not looked at), else the session cookie. */
    Caller authenticate(ServerRequest req) {
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Caller(tokens.verify(auth.substring(7).trim())
                    .orElseThrow(() -> new ApiError(401, "unauthorized", "invalid or expired token")), null, null);
        }
        String cookie = cookie(req, BrowserSessions.COOKIE);
        if (cookie == null) {
            throw new ApiError(401, "unauthorized", "missing bearer token or session cookie");
        }
        BrowserSessions.Caller c = sessions.lookup(cookie)
                .orElseThrow(() -> new ApiError(401, "unauthorized", "session ended or unknown; sign in again"));
        Method m = req.prologue().method();
        if (m != Method.GET && m != Method.HEAD) {
            if (!BrowserSessions.csrfMatches(c, req.headers().first(CSRF_HEADER).orElse(null))) {
                throw new ApiError(403, "csrf", "a cookie-authenticated change needs the X-CSRF-Token of GET /v1/me");
            }
            String o = req.headers().first(HeaderNames.ORIGIN).orElse(null);
            if (o != null && !origin.allows(o)) {
                throw new ApiError(403, "csrf", "Origin " + o + " is not this site");
            }
        }
        return new Caller(c.principal(), c, cookie);
    }

    /** Who called: the principal, and for a cookie the browser session and the cookie value. */
    record Caller(Tokens.Principal principal, BrowserSessions.Caller session, String cookie) {
    }

    static String cookie(ServerRequest req, String name) {
        return WebOrigin.cookie(req.headers().first(HeaderNames.COOKIE).orElse(null), name);
    }

    Tokens.Principal check(ServerRequest req, Role role, Tokens.Principal p) {
        if (!p.role().allows(role)) {
            throw new ApiError(403, "forbidden", "role " + p.role().wire() + " may not do this (needs "
                    + role.wire() + ")");
        }
        if (req.prologue().method() != io.helidon.http.Method.GET && !limiter.tryAcquire(p.subject())) {
            throw new ApiError(429, "rate_limited", "too many requests from " + p.subject() + "; slow down");
        }
        return p;
    }

    /** The request body as a JSON object, at most {@link #MAX_BODY} bytes. */
    static ObjectNode body(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > MAX_BODY) {
            throw new ApiError(413, "too_large", "body larger than " + MAX_BODY + " bytes");
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiError(413, "too_large", "body larger than " + MAX_BODY + " bytes");
        }
        JsonNode n;
        try {
            n = bytes.length == 0 ? null : Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw ApiError.badRequest("body is not JSON: " + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw ApiError.badRequest("body must be a JSON object");
        }
        return (ObjectNode) n;
    }

    static void json(ServerResponse res, int status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body instanceof JsonNode j ? j.toString() : Json.mapper().valueToTree(body).toString());
    }

    /** {@code {"items":[…],"next":…}}; {@code next} is null on the last page. */
    static ObjectNode page(List<?> items, String next) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.set("items", Json.mapper().valueToTree(items));
        if (next == null) {
            o.putNull("next");
        } else {
            o.put("next", next);
        }
        return o;
    }

    /** The path parameter {@code name}, which must be an opaque id ({@link Ids#OPAQUE}); 400 names it otherwise. */
    static String pathId(ServerRequest req, String name) {
        String v = req.path().pathParameters().get(name);
        if (!Ids.isOpaque(v)) {
            throw ApiError.invalid(name + ": must match " + Ids.OPAQUE.pattern());
        }
        return v;
    }

    static String query(ServerRequest req, String name) {
        return req.query().first(name).filter(s -> !s.isBlank()).orElse(null);
    }

    static int limit(ServerRequest req, int dflt, int max) {
        String v = query(req, "limit");
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > max) {
                throw ApiError.badRequest("limit must be 1.." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("limit must be an integer");
        }
    }
}
