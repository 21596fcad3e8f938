package dev.agentcommander.controlplane.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.schema.Json;

/**
 * What {@code GET /health} says about the database: {@code db} is {@code ok}, {@code down} (no connection),
 * {@code restarting} (the embedded Postgres died and is being started again) or {@code failed} (it did not come
 * back within the bound; the control plane is exiting). {@code reason} says why, for whoever reads the probe.
 */
public record DatabaseHealth(String db, String reason) {
    public static final DatabaseHealth OK = new DatabaseHealth("ok", null);

    public static DatabaseHealth down(String reason) {
        return new DatabaseHealth("down", reason);
    }

    public boolean ok() {
        return "ok".equals(db);
    }

    /** {@code {"status":"ok","db":"ok"}}, or {@code {"status":"degraded","db":…,"reason":…}}. */
    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("status", ok() ? "ok" : "degraded");
        o.put("db", db);
        if (reason != null) {
            o.put("reason", reason);
        }
        return o;
    }
}
