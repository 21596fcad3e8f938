package dev.agentcommander.agentd.approvals;

import java.util.Locale;

/**
 * What a hook request that nobody decided within {@code approvals.timeout_seconds} answers
 * ({@code approvals.timeout_action}). {@link #FALLBACK} (the default) answers nothing, so Claude shows its own
 * prompt to whoever sits at the pane; {@link #DENY} answers deny with the message "expired", for hosts where
 * nobody sits at the pane and a request left hanging would only stall the agent. Neither ever approves.
 */
public enum TimeoutAction {
    FALLBACK, DENY;

    /** The message Claude is given with a deny at expiry. */
    public static final String EXPIRED_MESSAGE = "expired";

    public static TimeoutAction parse(String value) {
        for (TimeoutAction a : values()) {
            if (a.name().toLowerCase(Locale.ROOT).equals(value)) {
                return a;
            }
        }
        throw new IllegalArgumentException("approvals.timeout_action: must be fallback or deny, not '" + value + "'");
    }
}
