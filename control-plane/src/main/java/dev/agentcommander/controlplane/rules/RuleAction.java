package dev.agentcommander.controlplane.rules;

import java.util.Locale;

/** What a matching rule does: decide at once ({@code allow}, {@code deny}) or leave it to a person ({@code ask}). */
public enum RuleAction {
    DENY, ALLOW, ASK;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The wire word; null for anything else. */
    public static RuleAction fromWire(String s) {
        for (RuleAction a : values()) {
            if (a.wire().equals(s)) {
                return a;
            }
        }
        return null;
    }
}
