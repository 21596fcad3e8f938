package dev.agentcommander.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * How an approval ended on the host ({@code approval.resolved}). Typed so that both sides branch on the same four
 * values; a value a newer agent sends that this build does not know reads as {@link #UNKNOWN} instead of failing
 * the frame, and the control plane then leaves the approval as it was.
 */
public enum ApprovalOutcome {
    /** The hook (or the menu keys) answered allow. */
    ALLOWED,
    /** The hook (or the menu keys) answered deny. */
    DENIED,
    /**
     * Nobody decided within {@code approvals.timeout_seconds}: Claude showed its own prompt, or (host config
     * {@code approvals.timeout_action: deny}) the hook answered deny with the message "expired".
     */
    EXPIRED,
    /** Withdrawn: answered at the pane, the hook went away, agentd stopped, or the keys could not be typed. */
    CANCELLED,
    /** A value this build does not know (never sent). */
    UNKNOWN;

    /** The wire name, e.g. {@code allowed}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a person's decision reached the tool (allowed or denied), as opposed to the request lapsing. */
    public boolean decided() {
        return this == ALLOWED || this == DENIED;
    }

    /** Parses a wire name; {@link #UNKNOWN} for anything else (null included). */
    public static ApprovalOutcome fromWire(String s) {
        return WireWords.parse(ApprovalOutcome.class, s, UNKNOWN);
    }

    /**
     * How Jackson reads the field: only a known string is a value; any other string, a number (Jackson would
     * otherwise take 0 as the first constant) or an object is {@link #UNKNOWN}. JSON null stays null (missing).
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ApprovalOutcome fromJson(JsonNode v) {
        return WireWords.read(ApprovalOutcome.class, v, UNKNOWN);
    }
}
