package dev.agentcommander.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * A person's answer to an approval ({@code approval.decision}, {@code POST /v1/approvals/{id}/decision}). A value
 * this build does not know reads as {@link #UNKNOWN}, which is never an allow: the control plane refuses it and
 * agentd answers nothing, so Claude falls back to its own prompt.
 */
public enum ApprovalBehavior {
    ALLOW,
    DENY,
    /** A value this build does not know (never sent). */
    UNKNOWN;

    /** The wire name, e.g. {@code allow}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome the host reports once this answer reached the tool. */
    public ApprovalOutcome outcome() {
        return switch (this) {
            case ALLOW -> ApprovalOutcome.ALLOWED;
            case DENY -> ApprovalOutcome.DENIED;
            case UNKNOWN -> ApprovalOutcome.UNKNOWN;
        };
    }

    /** Parses a wire name; {@link #UNKNOWN} for anything else (null included). */
    public static ApprovalBehavior fromWire(String s) {
        return WireWords.parse(ApprovalBehavior.class, s, UNKNOWN);
    }

    /**
     * How Jackson reads the field: only a known string is a value; any other string, a number (Jackson would
     * otherwise take 0 as the first constant) or an object is {@link #UNKNOWN}. JSON null stays null (missing).
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ApprovalBehavior fromJson(JsonNode v) {
        return WireWords.read(ApprovalBehavior.class, v, UNKNOWN);
    }
}
