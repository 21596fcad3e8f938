package dev.agentcommander.controlplane.auth;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may sign in with GitHub and with which role, from the environment ({@code GITHUB_*}, {@code ADMIN_EMAILS},
 * {@code ALLOWED_EMAILS}, {@code ALLOWED_ORGS}, {@code DEFAULT_ROLE}). A person let in by mistake could type into
 * every pane, so the rule is closed by default: a <em>verified</em> email in ADMIN_EMAILS or ALLOWED_EMAILS, or
 * membership of an org in ALLOWED_ORGS; with neither allowlist set, only ADMIN_EMAILS — never every GitHub account.
 * Emails compare case-insensitively, org logins too (GitHub treats both so).
 */
public record SignInPolicy(String clientId, String clientSecret, URI baseUrl, URI apiUrl, Set<String> adminEmails,
                           Set<String> allowedEmails, Set<String> allowedOrgs, Role defaultRole) {
    public static final URI GITHUB_COM = URI.create("https://github.com");
    public static final URI GITHUB_COM_API = URI.create("https://api.github.com");
    private static final Pattern ORG = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");

    public SignInPolicy {
        adminEmails = lower(adminEmails);
        allowedEmails = lower(allowedEmails);
        allowedOrgs = lower(allowedOrgs);
        if (defaultRole == Role.ADMIN) {
            throw new IllegalArgumentException("DEFAULT_ROLE: must be operator or viewer");
        }
    }

    /** No GitHub sign-in: only the local link signs people in. */
    public static SignInPolicy localOnly() {
        return new SignInPolicy(null, null, GITHUB_COM, GITHUB_COM_API, Set.of(), Set.of(), Set.of(), Role.OPERATOR);
    }

    /** Whether "Sign in with GitHub" is offered (GITHUB_CLIENT_ID is set). */
    public boolean github() {
        return clientId != null;
    }

    /** Whether sign-in needs the user's org memberships (and the {@code read:org} scope). */
    public boolean checksOrgs() {
        return !allowedOrgs.isEmpty();
    }

    /** The OAuth scopes asked for. */
    public String scope() {
        return checksOrgs() ? "read:user user:email read:org" : "read:user user:email";
    }

    /** Whether someone with these verified emails and orgs may sign in. */
    public boolean admits(Collection<String> verifiedEmails, Collection<String> orgs) {
        for (String e : verifiedEmails) {
            String l = e.toLowerCase(Locale.ROOT);
            if (adminEmails.contains(l) || allowedEmails.contains(l)) {
                return true;
            }
        }
        for (String o : orgs) {
            if (allowedOrgs.contains(o.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of these verified emails is in ADMIN_EMAILS. */
    public boolean admin(Collection<String> verifiedEmails) {
        return verifiedEmails.stream().anyMatch(e -> adminEmails.contains(e.toLowerCase(Locale.ROOT)));
    }

    /** A comma-separated list of emails from variable {@code key}; each must look like one. */
    public static Set<String> emails(String key, String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : split(value)) {
            int at = s.indexOf('@');
            if (at < 1 || at != s.lastIndexOf('@') || at == s.length() - 1
                    || s.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(key + ": not an email address: '" + s + "'");
            }
            out.add(s.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    /** A comma-separated list of GitHub org logins from variable {@code key}. */
    public static Set<String> orgs(String key, String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : split(value)) {
            if (!ORG.matcher(s).matches()) {
                throw new IllegalArgumentException(key + ": not a GitHub org login: '" + s + "'");
            }
            out.add(s.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static Set<String> split(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value != null) {
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        }
        return out;
    }

    private static Set<String> lower(Set<String> s) {
        Set<String> out = new LinkedHashSet<>();
        s.forEach(v -> out.add(v.toLowerCase(Locale.ROOT)));
        return Set.copyOf(out);
    }

    @Override
    public String toString() {
        return "SignInPolicy[github=" + github() + ", baseUrl=" + baseUrl + ", apiUrl=" + apiUrl + ", adminEmails="
                + adminEmails + ", allowedEmails=" + allowedEmails + ", allowedOrgs=" + allowedOrgs + ", defaultRole="
                + defaultRole + "]"; // never the client secret
    }
}
