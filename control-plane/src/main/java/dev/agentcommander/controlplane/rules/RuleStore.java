package dev.agentcommander.controlplane.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The {@code approval_rules} table and the checks a rule passes before it is saved: a pattern compiles (RE2) and is
 * at most {@value #MAX_PATTERN} characters, a host exists, the tool is a tool name or {@code *}. Every change bumps
 * {@code approval_rules_generation} in the same transaction, which is how every replica's {@link RuleEngine} knows
 * to recompile.
 */
public final class RuleStore {
    public static final int MAX_PATTERN = 1000;
    public static final int MAX_MESSAGE = 4096;
    public static final int MAX_RULES = 10_000;
    private static final java.util.regex.Pattern TOOL = java.util.regex.Pattern.compile("\\*|[A-Za-z0-9_.:-]{1,200}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RuleStore() {
    }

    /** What a POST or PATCH asks for, checked; {@code existing} null for a new rule. */
    public record Spec(String tool, String pattern, String hostId, RuleAction action, Risk risk, String message,
                       Pattern compiled) {
    }

    /**
     * The rule {@code body} describes, on top of {@code existing} for a PATCH (a field present replaces the old
     * value; JSON null clears an optional one). Throws {@link RuleException} naming the field.
     */
    public static Spec parse(JsonNode body, Rule existing) {
        String tool = existing == null ? null : existing.tool();
        String pattern = existing == null ? null : existing.pattern();
        String host = existing == null ? null : existing.hostId();
        RuleAction action = existing == null ? null : existing.action();
        Risk risk = existing == null ? null : existing.risk();
        String message = existing == null ? null : existing.message();
        if (body.has("tool")) {
            tool = text(body, "tool");
            if (tool == null || !TOOL.matcher(tool).matches()) {
                throw new RuleException("tool", "must be a tool name (Bash, Edit, mcp__github__create_issue: letters, "
                        + "digits, _ . : -, at most 200) or *");
            }
        }
        if (tool == null) {
            throw new RuleException("tool", "is required (a tool name, or * for every tool)");
        }
        if (body.has("action")) {
            action = RuleAction.fromWire(text(body, "action"));
            if (action == null) {
                throw new RuleException("action", "must be allow, deny or ask");
            }
        }
        if (action == null) {
            throw new RuleException("action", "is required (allow, deny or ask)");
        }
        if (body.has("pattern")) {
            pattern = text(body, "pattern");
        }
        if (body.has("host_id")) {
            host = text(body, "host_id");
            if (host != null && (host.isEmpty() || host.length() > 128)) {
                throw new RuleException("host_id", "must be a host id (or null for every host)");
            }
        }
        if (body.has("risk")) {
            String r = text(body, "risk");
            risk = r == null ? null : Risk.fromWire(r);
            if (r != null && risk == null) {
                throw new RuleException("risk", "must be low, medium or high");
            }
        }
        if (body.has("message")) {
            message = text(body, "message");
            if (message != null && message.length() > MAX_MESSAGE) {
                throw new RuleException("message", "must be at most " + MAX_MESSAGE + " characters");
            }
        }
        return new Spec(tool, pattern, host, action, risk, message, compile(pattern));
    }

    /** Compiles a pattern as it is saved; null stays null (any input). */
    public static Pattern compile(String pattern) {
        if (pattern == null) {
            return null;
        }
        if (pattern.isEmpty()) {
            throw new RuleException("pattern", "must not be empty (leave it out, or null, to match any input)");
        }
        if (pattern.length() > MAX_PATTERN) {
            throw new RuleException("pattern", "must be at most " + MAX_PATTERN + " characters, got "
                    + pattern.length());
        }
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new RuleException("pattern", "not a valid RE2 regular expression: " + e.getMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new RuleException(field, "must be a string");
        }
        return v.asText();
    }

    public static Rule insert(Connection c, Spec s, String createdBy, Instant now) throws SQLException {
        checkHost(c, s.hostId());
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM approval_rules");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getLong(1) >= MAX_RULES) {
                throw new RuleException("rules", "at most " + MAX_RULES + " rules; delete some first");
            }
        }
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        String id = "rule_" + HexFormat.of().formatHex(b);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO approval_rules (id, tool, pattern, host_id, "
                + "action, risk, message, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            set(ps, 2, s);
            ps.setString(8, createdBy);
            ps.setTimestamp(9, Timestamp.from(now));
            ps.setTimestamp(10, Timestamp.from(now));
            ps.executeUpdate();
        }
        bump(c);
        return find(c, id);
    }

    public static Rule update(Connection c, String id, Spec s, Instant now) throws SQLException {
        checkHost(c, s.hostId());
        try (PreparedStatement ps = c.prepareStatement("UPDATE approval_rules SET tool = ?, pattern = ?, host_id = ?, "
                + "action = ?, risk = ?, message = ?, updated_at = ? WHERE id = ?")) {
            set(ps, 1, s);
            ps.setTimestamp(7, Timestamp.from(now));
            ps.setString(8, id);
            if (ps.executeUpdate() == 0) {
                return null;
            }
        }
        bump(c);
        return find(c, id);
    }

    public static boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM approval_rules WHERE id = ?")) {
            ps.setString(1, id);
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        bump(c);
        return true;
    }

    public static Rule find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM approval_rules WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rule(rs) : null;
            }
        }
    }

    /** Every rule, oldest first (the order rules of one action are tried in). */
    public static List<Rule> list(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM approval_rules ORDER BY created_at, id");
             ResultSet rs = ps.executeQuery()) {
            List<Rule> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rule(rs));
            }
            return out;
        }
    }

    /** The rules' generation: changes whenever a rule is created, changed or deleted (on any replica). */
    public static long generation(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT gen FROM approval_rules_generation");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static void bump(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE approval_rules_generation SET gen = gen + 1")) {
            ps.executeUpdate();
        }
    }

    private static void checkHost(Connection c, String hostId) throws SQLException {
        if (hostId == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM hosts WHERE id = ?")) {
            ps.setString(1, hostId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new RuleException("host_id", "no host " + hostId);
                }
            }
        }
    }

    private static void set(PreparedStatement ps, int i, Spec s) throws SQLException {
        ps.setString(i, s.tool());
        ps.setString(i + 1, s.pattern());
        ps.setString(i + 2, s.hostId());
        ps.setString(i + 3, s.action().wire());
        ps.setString(i + 4, s.risk() == null ? null : s.risk().wire());
        ps.setString(i + 5, s.message());
    }

    /** A stored rule; its pattern was checked when saved, so compiling it again cannot fail. */
    private static Rule rule(ResultSet rs) throws SQLException {
        String pattern = rs.getString("pattern");
        Timestamp created = rs.getTimestamp("created_at");
        Timestamp updated = rs.getTimestamp("updated_at");
        return new Rule(rs.getString("id"), rs.getString("tool"), pattern, rs.getString("host_id"),
                RuleAction.fromWire(rs.getString("action")), Risk.fromWire(rs.getString("risk")),
                rs.getString("message"), rs.getString("created_by"), created == null ? null : created.toInstant(),
                updated == null ? null : updated.toInstant(), pattern == null ? null : Pattern.compile(pattern));
    }
}
