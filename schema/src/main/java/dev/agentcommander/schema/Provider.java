package dev.agentcommander.schema;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** What runs in a pane; decides which status patterns and hooks apply. Unknown values read as {@link #OTHER}. */
public enum Provider {
    @JsonProperty("claude") CLAUDE,
    @JsonProperty("codex") CODEX,
    @JsonProperty("shell") SHELL,
    @JsonEnumDefaultValue @JsonProperty("other") OTHER;

    /** The wire name, e.g. {@code claude}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a wire name; {@code null} when unknown (callers decide whether that is an error). */
    public static Provider fromWire(String s) {
        for (Provider p : values()) {
            if (p.wire().equals(s)) {
                return p;
            }
        }
        return null;
    }
}
