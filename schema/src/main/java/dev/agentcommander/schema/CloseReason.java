package dev.agentcommander.schema;

import java.util.Locale;

/**
 * Why a WebSocket was closed, typed, for both sockets ({@code /v1/agent} and {@code /v1/ui}). The close frame
 * carries a WebSocket status code and a reason {@code "<kind>: <detail>"}; a peer decides what to do from the
 * kind (retry soon, back off fully, ask a person to fix a token), never by matching the detail text. The detail is
 * for logs and people.
 *
 * <p>Lenient like the rest of the wire: a reason this build does not know decodes as {@link Kind#OTHER} with
 * the code it came with.
 */
public record CloseReason(Kind kind, String detail) {
    /** Close reasons are at most 123 bytes on the wire (RFC 6455); keep a margin. */
    public static final int MAX_REASON_CHARS = 120;

    /** A reason's kind and the WebSocket status code it travels with. */
    public enum Kind {
        /** The token is missing, wrong, rotated or expired: retrying soon will not help; a person must act. */
        UNAUTHORIZED(1008),
        /** Authenticated but not allowed (a cookie from a foreign origin, too small a role). */
        FORBIDDEN(1008),
        /** A newer connection of the same host (or client) took over. */
        SUPERSEDED(1008),
        /** The peer speaks a protocol version the server cannot. */
        UNSUPPORTED_VERSION(1002),
        /** The server cannot serve now (database down, client too slow): retry with backoff. */
        UNAVAILABLE(1013),
        /** The server is going away (shutdown, restart). */
        GOING_AWAY(1001),
        /** A bug or an unexpected failure on the closing side; reconnect. */
        INTERNAL(1011),
        /** A normal close. */
        NORMAL(1000),
        /** A reason this build does not know. */
        OTHER(1000);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The WebSocket status code this kind is sent with. */
        public int code() {
            return code;
        }

        /** The reason's prefix on the wire: {@code unauthorized}, {@code unsupported_version}, … */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public CloseReason {
        if (kind == null) {
            throw new IllegalArgumentException("close reason: kind is required");
        }
        detail = detail == null ? "" : detail;
    }

    public static CloseReason of(Kind kind, String detail) {
        return new CloseReason(kind, detail);
    }

    public int code() {
        return kind.code();
    }

    /** {@code "<kind>: <detail>"}, cut to {@link #MAX_REASON_CHARS}. */
    public String reason() {
        String r = detail.isEmpty() ? kind.wire() : kind.wire() + ": " + detail;
        return r.length() > MAX_REASON_CHARS ? r.substring(0, MAX_REASON_CHARS) : r;
    }

    /** Reads a close frame: the kind from the reason's prefix, else from the code alone. */
    public static CloseReason parse(int code, String reason) {
        String r = reason == null ? "" : reason.strip();
        int colon = r.indexOf(':');
        String head = (colon < 0 ? r : r.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
        String detail = colon < 0 ? "" : r.substring(colon + 1).strip();
        for (Kind k : Kind.values()) {
            if (k != Kind.OTHER && k.wire().equals(head)) {
                return new CloseReason(k, colon < 0 ? "" : detail);
            }
        }
        Kind byCode = switch (code) {
            case 1000 -> Kind.NORMAL;
            case 1001 -> Kind.GOING_AWAY;
            case 1002 -> Kind.UNSUPPORTED_VERSION;
            case 1011 -> Kind.INTERNAL;
            case 1013 -> Kind.UNAVAILABLE;
            default -> Kind.OTHER;
        };
        return new CloseReason(byCode, r);
    }

    @Override
    public String toString() {
        return code() + " " + reason();
    }
}
