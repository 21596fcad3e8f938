package dev.agentcommander.schema;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * Where a session stands. WAITING means a person is needed (a permission menu, an approval); DONE and ERROR end
 * headless jobs; EXITED is a pane whose process has gone. Unknown values read as {@link #IDLE}.
 */
public enum SessionStatus {
    RUNNING, @JsonEnumDefaultValue IDLE, WAITING, DONE, ERROR, EXITED;

    /** Parses a wire name; {@code null} when unknown. */
    public static SessionStatus fromWire(String s) {
        for (SessionStatus v : values()) {
            if (v.name().equals(s)) {
                return v;
            }
        }
        return null;
    }
}
