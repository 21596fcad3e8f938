package dev.agentcommander.schema;

import java.util.regex.Pattern;

/**
 * The enrollment contract between {@code agentd enroll} (and the install script) and the control plane, in one
 * place: a dev box trades a one-time code for its host token with {@code POST /v1/enroll {code, host_name}}, which
 * answers {@code 201 {host: {id, name, …}, token}} or an error {@code {"error":{"code","message"}}}
 * ({@link #UNKNOWN} 404, {@link #USED} 409, {@link #EXPIRED} 410). Not part of the agent WebSocket protocol: it
 * is plain REST, made before the host has a token.
 */
public final class Enrollment {
    /** Where a code is traded for a token. */
    public static final String PATH = "/v1/enroll";
    /** Every code starts so, which makes one recognisable in a paste or a log. */
    public static final String CODE_PREFIX = "ace_";
    /** A code: the prefix and 32 random bytes as base64url without padding. */
    public static final Pattern CODE = Pattern.compile("ace_[A-Za-z0-9_-]{43}");
    /** A host name, as every way of making a host accepts it (registering it, enrolling it). */
    public static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Error codes of a code that cannot be used. */
    public static final String UNKNOWN = "enroll_code_unknown";
    public static final String USED = "enroll_code_used";
    public static final String EXPIRED = "enroll_code_expired";

    private Enrollment() {
    }

    /** The agent WebSocket URL of a control plane whose base URL is {@code base} (http→ws, https→wss). */
    public static String agentUrl(String base) {
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        if (b.startsWith("https://")) {
            return "wss://" + b.substring("https://".length()) + "/v1/agent";
        }
        if (b.startsWith("http://")) {
            return "ws://" + b.substring("http://".length()) + "/v1/agent";
        }
        throw new IllegalArgumentException("not an http(s) URL: " + base);
    }
}
