package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.function.Function;

/**
 * The session filters of {@code GET /v1/sessions?…} and of a UI {@code sessions} subscription, parsed by one
 * strict parser so the two cannot drift: a value that is not exactly right ({@code needs_attention=yes}, an
 * unknown status) is refused with an error naming the field, never read as "no filter" or {@code false}.
 * Null fields do not filter. {@code sessionId} narrows to one session (the session page's live view of its own
 * record), {@code kind} to panes or jobs (the jobs page).
 */
public record SessionFilter(String hostId, SessionStatus status, Provider provider, Boolean needsAttention,
                            String q, String sessionId, SessionKind kind) {
    public static final SessionFilter ALL = new SessionFilter(null, null, null, null, null);

    /** A filter on neither one session nor a kind. */
    public SessionFilter(String hostId, SessionStatus status, Provider provider, Boolean needsAttention, String q) {
        this(hostId, status, provider, needsAttention, q, null, null);
    }
    /** Longest free-text query accepted. */
    public static final int MAX_QUERY = 200;

    /**
     * Parses from named text values ({@code param.apply("status")}); absent or blank values are null.
     * @throws ProtocolException (INVALID) naming the field
     */
    public static SessionFilter parse(Function<String, String> param) {
        String hostId = blankToNull(param.apply("host_id"));
        if (hostId != null && !Ids.isOpaque(hostId)) {
            throw invalid("host_id", "must match " + Ids.OPAQUE.pattern());
        }
        String status = blankToNull(param.apply("status"));
        SessionStatus st = status == null ? null : SessionStatus.fromWire(status.toUpperCase(Locale.ROOT));
        if (status != null && st == null) {
            throw invalid("status", "unknown value " + status);
        }
        String provider = blankToNull(param.apply("provider"));
        Provider pr = provider == null ? null : Provider.fromWire(provider);
        if (provider != null && pr == null) {
            throw invalid("provider", "unknown value " + provider);
        }
        String attention = blankToNull(param.apply("needs_attention"));
        if (attention != null && !attention.equals("true") && !attention.equals("false")) {
            throw invalid("needs_attention", "must be true or false");
        }
        String q = blankToNull(param.apply("q"));
        if (q != null && q.length() > MAX_QUERY) {
            throw invalid("q", "at most " + MAX_QUERY + " characters");
        }
        if (q != null && q.chars().anyMatch(Character::isISOControl)) {
            throw invalid("q", "must not contain control characters");
        }
        String sessionId = blankToNull(param.apply("session_id"));
        if (sessionId != null && !Ids.isOpaque(sessionId)) {
            throw invalid("session_id", "must match " + Ids.OPAQUE.pattern());
        }
        String kind = blankToNull(param.apply("kind"));
        SessionKind k = kind == null ? null : switch (kind) {
            case "pane" -> SessionKind.PANE;
            case "job" -> SessionKind.JOB;
            default -> throw invalid("kind", "must be pane or job");
        };
        return new SessionFilter(hostId, st, pr, attention == null ? null : Boolean.valueOf(attention), q,
                sessionId, k);
    }

    /**
     * Parses a UI subscription's {@code filter} object; JSON booleans and strings are both accepted for
     * {@code needs_attention}, anything else is refused.
     */
    public static SessionFilter parse(JsonNode filter) {
        JsonNode f = filter == null ? Json.mapper().createObjectNode() : filter;
        return parse(name -> {
            JsonNode n = f.get(name);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isTextual() && !n.isBoolean()) {
                throw invalid(name, "must be a string" + (name.equals("needs_attention") ? " or a boolean" : ""));
            }
            return n.asText();
        });
    }

    public boolean matches(Session s) {
        return (hostId == null || hostId.equals(s.hostId()))
                && (sessionId == null || sessionId.equals(s.sessionId()))
                && (kind == null || kind == (s.kind() == null ? SessionKind.PANE : s.kind()))
                && (status == null || status == s.status())
                && (provider == null || provider == s.provider())
                && (needsAttention == null || needsAttention == s.needsAttention())
                && (q == null || q.isEmpty() || contains(s.name()) || contains(s.cwd()) || contains(s.title())
                || (s.git() != null && contains(s.git().branch())));
    }

    private boolean contains(String field) {
        return field != null && field.toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT));
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static ProtocolException invalid(String field, String what) {
        return new ProtocolException(ProtocolException.Code.INVALID, field + ": " + what);
    }
}
