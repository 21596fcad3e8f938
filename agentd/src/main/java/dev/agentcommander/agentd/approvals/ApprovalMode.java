package dev.agentcommander.agentd.approvals;

import java.util.Locale;

/**
 * How an approval decision reaches Claude Code (config {@code approvals.mode}). Hooks are exact and carry edited
 * input; keys work for sessions started without our hooks, at the price of pressing menu keys blindly.
 */
public enum ApprovalMode {
    /** Answer through the waiting {@code agentd-hook}; screen-detected menus are left to the person at the pane. */
    HOOK,
    /** Answer by sending the menu keys to the pane; a PermissionRequest hook gets an empty answer at once. */
    KEYS,
    /** Hook when one waits for the pane, keys for menus that no hook announced. */
    BOTH;

    /** Parses the config value; the error names the key, as config errors must. */
    public static ApprovalMode parse(String value) {
        if (value == null || value.isBlank()) {
            return HOOK;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("approvals.mode: must be hook, keys or both, not '" + value + "'");
        }
    }
}
