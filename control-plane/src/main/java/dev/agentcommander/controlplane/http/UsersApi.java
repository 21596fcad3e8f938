package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.BrowserSessions;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.UserRows;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.schema.Json;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Who am I ({@code GET /v1/me}, with the session's CSRF token), a short JWT for scripts from a browser session
 * ({@code POST /v1/token}), and the users admins manage. The last active admin can be neither demoted nor
 * disabled (409), so an instance never locks its admins out; disabling ends the user's sessions at once.
 */
final class UsersApi {
    /** What {@code POST /v1/token} mints: short, because a JWT cannot be revoked. */
    static final Duration SCRIPT_TOKEN_TTL = Duration.ofMinutes(5);

    private final Database db;
    private final Http http;
    private final Tokens tokens;
    private final BrowserSessions sessions;
    private final Clock clock;

    UsersApi(Database db, Http http, Tokens tokens, BrowserSessions sessions, Clock clock) {
        this.db = db;
        this.http = http;
        this.tokens = tokens;
        this.sessions = sessions;
        this.clock = clock;
    }

    void register(Routes r) {
        r.get("/v1/me", this::me);
        r.post("/v1/token", this::token);
        r.get("/v1/users", this::list);
        r.patch("/v1/users/{id}", this::patch);
    }

    private void me(ServerRequest req, ServerResponse res) {
        Http.Caller c = http.authenticate(req);
        http.check(req, Role.VIEWER, c.principal());
        ObjectNode out = Json.mapper().createObjectNode();
        ObjectNode user = out.putObject("user");
        Long id = userId(c.principal().subject());
        UserRows.User u = c.session() != null ? c.session().user()
                : id == null ? null : db.tx(x -> UserRows.byId(x, id));
        if (u != null) {
            user.put("id", u.id()).put("login", u.login()).put("email", u.email()).put("name", u.name())
                    .put("avatar_url", u.avatarUrl());
        } else {
            user.putNull("id").put("login", c.principal().subject()).putNull("email").putNull("name")
                    .putNull("avatar_url");
        }
        out.put("role", c.principal().role().wire());
        if (c.session() != null) {
            out.put("csrf_token", c.session().csrfToken());
        } else {
            out.putNull("csrf_token");
        }
        Http.json(res, 200, out);
    }

    private void token(ServerRequest req, ServerResponse res) {
        Http.Caller c = http.authenticate(req);
        Tokens.Principal p = http.check(req, Role.VIEWER, c.principal());
        if (c.session() == null) {
            throw new ApiError(403, "forbidden", "POST /v1/token needs a browser session (the ac_session cookie); "
                    + "a JWT cannot mint another");
        }
        String jwt = tokens.issue(p.subject(), p.role(), SCRIPT_TOKEN_TTL);
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("token", jwt);
        out.put("expires_at", clock.instant().plus(SCRIPT_TOKEN_TTL).toString());
        Http.json(res, 200, out);
    }

    private void list(ServerRequest req, ServerResponse res) {
        http.require(req, Role.ADMIN);
        Http.json(res, 200, Http.page(db.tx(UserRows::list), null));
    }

    private void patch(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        String raw = Http.pathId(req, "id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiError.invalid("id: must be a user id (an integer)");
        }
        ObjectNode body = Http.body(req);
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("role") && !f.equals("disabled")) {
                throw ApiError.invalid(f + ": unknown field (role, disabled)");
            }
        });
        JsonNode rn = body.get("role");
        Role role = rn == null ? null : rn.isTextual() ? Role.fromWire(rn.asText()) : null;
        if (rn != null && role == null) {
            throw ApiError.invalid("role: must be admin, operator or viewer");
        }
        JsonNode dn = body.get("disabled");
        if (dn != null && !dn.isBoolean()) {
            throw ApiError.invalid("disabled: must be true or false");
        }
        Boolean disabled = dn == null ? null : dn.asBoolean();
        ObjectNode updated = db.tx(c -> {
            List<Long> admins = UserRows.activeAdminsForUpdate(c);
            UserRows.User u = UserRows.byIdForUpdate(c, id);
            if (u == null) {
                throw ApiError.notFound("user " + id);
            }
            boolean newDisabled = disabled == null ? u.disabled() : disabled;
            String newRole = role == null ? u.role() : role.wire();
            boolean staysAdmin = newRole.equals("admin") && !newDisabled;
            if (admins.contains(u.id()) && !staysAdmin && admins.size() <= 1) {
                throw ApiError.conflict("user " + u.login() + " is the last active admin: make another admin first");
            }
            if (!newRole.equals(u.role())) {
                UserRows.setRole(c, id, newRole);
                Audit.write(c, p.subject(), p.role().wire(), "user.role", "user:" + id, Json.mapper()
                        .createObjectNode().put("login", u.login()).put("from", u.role()).put("to", newRole));
            }
            if (newDisabled != u.disabled()) {
                UserRows.setDisabled(c, id, newDisabled);
                int ended = newDisabled ? sessions.revokeUser(c, id) : 0;
                Audit.write(c, p.subject(), p.role().wire(), "user.disable", "user:" + id, Json.mapper()
                        .createObjectNode().put("login", u.login()).put("disabled", newDisabled)
                        .put("sessions_ended", ended));
            }
            return UserRows.json(c, id);
        });
        sessions.forgetUser(id);
        Http.json(res, 200, updated);
    }

    private static Long userId(String subject) {
        if (subject == null || subject.isEmpty() || subject.length() > 18
                || !subject.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(subject);
    }
}
