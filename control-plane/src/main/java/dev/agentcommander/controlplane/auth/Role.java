package dev.agentcommander.controlplane.auth;

import java.util.Locale;

/** Who may do what: each role includes the ones below it (admin ⊇ operator ⊇ viewer). */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public boolean allows(Role required) {
        return ordinal() >= required.ordinal();
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; {@code null} when unknown. */
    public static Role fromWire(String s) {
        for (Role r : values()) {
            if (r.wire().equals(s)) {
                return r;
            }
        }
        return null;
    }
}
