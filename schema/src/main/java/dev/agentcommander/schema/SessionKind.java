package dev.agentcommander.schema;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A tmux pane we watch, or a headless job we run. */
public enum SessionKind {
    @JsonEnumDefaultValue @JsonProperty("pane") PANE,
    @JsonProperty("job") JOB;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
