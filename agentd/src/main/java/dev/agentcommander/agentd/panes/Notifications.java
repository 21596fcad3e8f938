package dev.agentcommander.agentd.panes;

import java.util.Locale;
import java.util.Set;

/**
 * What a Claude Code {@code Notification} hook says about the session. Claude adds notification types from version
 * to version (2.1.328's auto mode sends {@code agent_needs_input} when it stops for a choice), so a type that is
 * not known is read from its message: one that says Claude needs the person ("needs your …", "waiting for your
 * …") counts as needing attention. Missing a person who is needed is worse than one extra badge.
 */
enum Notifications {
    NEEDS_PERSON, IDLE, NOTHING;

    /** The types that mean a person must act now. */
    static final Set<String> NEEDS_PERSON_TYPES = Set.of("permission_prompt", "elicitation_dialog",
            "agent_needs_input");

    static Notifications meaning(String type, String message) {
        if (type != null && NEEDS_PERSON_TYPES.contains(type)) {
            return NEEDS_PERSON;
        }
        if ("idle_prompt".equals(type)) {
            return IDLE;
        }
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("needs your") || m.contains("waiting for your") || m.contains("needs you")) {
            return NEEDS_PERSON;
        }
        return NOTHING;
    }
}
