package dev.agentcommander.schema;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the control plane pushes to dashboards on {@code /v1/ui}. Console bytes are base64 because a chunk may
 * end inside a UTF-8 sequence.
 */
public sealed interface UiEvent {
    @JsonIgnore
    String type();

    record Subscribed(String sub) implements UiEvent {
        public static final String TYPE = "subscribed";

        public String type() {
            return TYPE;
        }
    }

    record SessionsChanged(String sub, Session session) implements UiEvent {
        public static final String TYPE = "sessions.changed";

        public String type() {
            return TYPE;
        }
    }

    record SessionsRemoved(String sub, String sessionId) implements UiEvent {
        public static final String TYPE = "sessions.removed";

        public String type() {
            return TYPE;
        }
    }

    record EventsAppended(String sub, JsonNode event) implements UiEvent {
        public static final String TYPE = "events.appended";

        public String type() {
            return TYPE;
        }
    }

    record Cursor(int x, int y) {
    }

    /** The screen to draw; the chunks after it start at {@code offset} (bytes of the stream before the cut). */
    record ConsoleSnapshot(String sub, String sessionId, int cols, int rows, Cursor cursor, String data, long offset)
            implements UiEvent {
        public static final String TYPE = "console.snapshot";

        public String type() {
            return TYPE;
        }
    }

    record ConsoleChunk(String sub, String sessionId, long offset, String data) implements UiEvent {
        public static final String TYPE = "console.chunk";

        public String type() {
            return TYPE;
        }
    }

    /**
     * Output of this subscription was skipped; a {@code console.snapshot} to redraw from follows. {@code reason}:
     * {@link #VIEWER_BEHIND} (this socket did not read fast enough, so the control plane dropped its oldest
     * console frames) or {@link #HOST_BEHIND} (the host could not keep up with the pane). {@code bytes}: how many
     * bytes of pane output were dropped, when known.
     */
    record ConsoleSkipped(String sub, String sessionId, String reason, Long bytes) implements UiEvent {
        public static final String TYPE = "console.skipped";
        public static final String VIEWER_BEHIND = "viewer_behind";
        public static final String HOST_BEHIND = "host_behind";

        public String type() {
            return TYPE;
        }
    }

    record ApprovalsChanged(String sub, JsonNode approval) implements UiEvent {
        public static final String TYPE = "approvals.changed";

        public String type() {
            return TYPE;
        }
    }

    record ErrorBody(String code, String message) {
    }

    record Error(String sub, ErrorBody error) implements UiEvent {
        public static final String TYPE = "error";

        public String type() {
            return TYPE;
        }
    }

    record Pong() implements UiEvent {
        public static final String TYPE = "pong";

        public String type() {
            return TYPE;
        }
    }

    /** The flat JSON text of an event: its fields plus {@code type}. */
    static String encode(UiEvent e) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("type", e.type());
        o.setAll((ObjectNode) Json.mapper().valueToTree(e));
        return o.toString();
    }
}
