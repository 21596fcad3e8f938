package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.RateLimiter;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.EnrollCodeRows;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.schema.Enrollment;
import dev.agentcommander.schema.Json;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Enrollment (like Tailscale auth keys): an admin makes a one-time code, and a dev box trades it once for a host
 * token. The code is the only credential {@code POST /v1/enroll} takes, so it is random (256 bits), stored hashed,
 * short-lived, spent in the same transaction that creates the host (a refused or failed enrollment leaves no host
 * and, unless the code was spent by someone else, an unspent code), and callers are rate-limited by address.
 */
final class EnrollApi {
    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    static final Duration MIN_TTL = Duration.ofMinutes(1);
    static final Duration MAX_TTL = Duration.ofDays(7);
    /** Unauthenticated attempts per address: a burst of 30, then one a second (a code has 256 random bits). */
    private static final double BURST = 30;
    private static final double PER_SECOND = 1;

    private final Database db;
    private final Http http;
    private final Downloads downloads;
    private final Clock clock;
    private final RateLimiter attempts;

    EnrollApi(Database db, Http http, Downloads downloads, Clock clock) {
        this.db = db;
        this.http = http;
        this.downloads = downloads;
        this.clock = clock;
        this.attempts = new RateLimiter(clock, BURST, PER_SECOND);
    }

    void register(Routes r) {
        r.post("/v1/hosts/enroll-codes", this::createCode);
        r.post(Enrollment.PATH, this::enroll);
    }

    private void createCode(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        ObjectNode body = Http.body(req);
        String name = optionalText(body, "name");
        if (name != null) {
            HostsApi.checkName("name", name);
        }
        Duration ttl = DEFAULT_TTL;
        JsonNode t = body.get("ttl_seconds");
        if (t != null && !t.isNull()) {
            if (!t.canConvertToLong() || !t.isIntegralNumber() || t.asLong() < MIN_TTL.toSeconds()
                    || t.asLong() > MAX_TTL.toSeconds()) {
                throw ApiError.invalid("ttl_seconds: must be an integer from " + MIN_TTL.toSeconds() + " to "
                        + MAX_TTL.toSeconds() + " (got " + t + ")");
            }
            ttl = Duration.ofSeconds(t.asLong());
        }
        String code = Enrollment.CODE_PREFIX + Secrets.randomToken();
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        ObjectNode row = db.tx(c -> {
            if (name != null && HostRows.findByName(c, name) != null) {
                throw ApiError.conflict("a host named " + name + " exists");
            }
            ObjectNode e = EnrollCodeRows.insert(c, Secrets.sha256Hex(code), name, p.subject(), now, expires);
            ObjectNode detail = Json.mapper().createObjectNode();
            detail.put("name", name);
            detail.put("expires_at", expires.toString());
            Audit.write(c, p.subject(), p.role().wire(), "host.enroll_code.create", e.get("id").asText(), detail);
            return e;
        });
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("id", row.get("id").asText());
        out.put("code", code);
        out.set("name", row.get("name"));
        out.put("expires_at", expires.toString());
        out.put("command", "curl -fsSL " + downloads.baseUrl(req) + "/install.sh | sh -s -- " + code);
        Http.json(res, 201, out);
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        if (!attempts.tryAcquire(req.remotePeer().host())) {
            throw new ApiError(429, "rate_limited", "too many enrollment attempts from this address; slow down");
        }
        ObjectNode body = Http.body(req);
        String code = optionalText(body, "code");
        if (code == null || !Enrollment.CODE.matcher(code).matches()) {
            throw ApiError.invalid("code: must be an enrollment code (" + Enrollment.CODE_PREFIX + " and 43 letters,"
                    + " digits, '-' or '_'), as POST /v1/hosts/enroll-codes made it");
        }
        String asked = optionalText(body, "host_name");
        if (asked != null) {
            HostsApi.checkName("host_name", asked);
        }
        String token = Secrets.randomToken();
        String hash = Secrets.sha256Hex(code);
        Instant now = clock.instant();
        String[] tried = {asked, null}; // the name tried, and the code's own name if it has one
        ObjectNode host;
        try {
            host = db.tx(c -> {
                EnrollCodeRows.Claim claim = EnrollCodeRows.claim(c, hash, now);
                if (claim == null) {
                    throw refused(EnrollCodeRows.refusal(c, hash));
                }
                String name = claim.name() != null ? claim.name() : asked;
                if (name == null) {
                    throw ApiError.invalid("host_name: required (this code does not name the host)");
                }
                tried[0] = name;
                tried[1] = claim.name();
                ObjectNode h = HostRows.insert(c, name, Secrets.sha256Hex(token));
                String hostId = h.get("id").asText();
                EnrollCodeRows.madeHost(c, claim.id(), hostId);
                ObjectNode detail = Json.mapper().createObjectNode();
                detail.put("code_id", claim.id());
                detail.put("name", name);
                detail.put("from", req.remotePeer().host());
                Audit.write(c, "enroll:" + claim.id(), null, "host.enroll", hostId, detail);
                return h;
            });
        } catch (DbException e) {
            if (e.uniqueViolation()) { // the host name: the transaction rolled back, the code is unspent
                throw ApiError.conflict("a host named " + tried[0] + " exists; " + (tried[1] != null
                        ? "this code names that host: remove it first, or make a code without a name"
                        : "enroll with another host name (agentd enroll --host-name NAME) or remove that host first"));
            }
            throw e;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.set("host", host);
        out.put("token", token);
        Http.json(res, 201, out);
    }

    private static ApiError refused(EnrollCodeRows.Refusal why) {
        return switch (why) {
            case UNKNOWN -> new ApiError(404, Enrollment.UNKNOWN, "no such enrollment code (was it copied whole?);"
                    + " an admin can make a new one on the Hosts page");
            case USED -> new ApiError(409, Enrollment.USED, "this enrollment code was used already (a code works"
                    + " once); an admin can make a new one on the Hosts page");
            case EXPIRED -> new ApiError(410, Enrollment.EXPIRED, "this enrollment code has expired; an admin can"
                    + " make a new one on the Hosts page");
        };
    }

    private static String optionalText(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.invalid(field + ": must be a string");
        }
        return v.asText().isBlank() ? null : v.asText();
    }
}
