package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Reads the enums whose wire word is the constant's name in lower case and which have an {@code UNKNOWN} for words
 * this build does not know ({@link ApprovalOutcome}, {@link ApprovalBehavior}): only the exact word is a value.
 */
final class WireWords {
    private WireWords() {
    }

    /** The constant whose lower-case name is {@code s}; {@code unknown} for anything else, null included. */
    static <E extends Enum<E>> E parse(Class<E> type, String s, E unknown) {
        if (s == null || !s.equals(s.toLowerCase(Locale.ROOT))) {
            return unknown;
        }
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return unknown;
        }
    }

    /** A JSON value: a known string is its constant; any other string, a number, a boolean or an object is unknown. */
    static <E extends Enum<E>> E read(Class<E> type, JsonNode v, E unknown) {
        return v != null && v.isTextual() ? parse(type, v.asText(), unknown) : unknown;
    }
}
