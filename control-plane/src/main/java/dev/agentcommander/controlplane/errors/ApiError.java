package dev.agentcommander.controlplane.errors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ProtocolException;

/**
 * A request that cannot be served, with the HTTP status and the stable error code the client sees. It is also the
 * one mapper from any exception to that code ({@link #of}), so REST and the UI socket can never disagree on what a
 * database outage or a bad frame is called: both send {@code {"error":{"code","message"}}}.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /**
     * What a client is told about {@code failure}: an ApiError as it is, a refused frame or body as 400 with its
     * protocol code, a value Postgres refuses as data as 400 {@code bad_request}, a database outage as 503
     * {@code unavailable}, anything else as 500 {@code internal} (the details stay in the log, never in the reply).
     */
    public static ApiError of(Throwable failure) {
        return switch (failure) {
            case ApiError e -> e;
            case ProtocolException e -> new ApiError(400, e.code().wire(), e.getMessage());
            case DbException e when e.badValue() -> badRequest("a value in the request cannot be used: "
                    + e.getMessage().lines().findFirst().orElse("").replaceFirst("^ERROR: ", ""));
            case DbException e -> new ApiError(503, "unavailable", "database unavailable");
            default -> new ApiError(500, "internal", "internal error");
        };
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** {@code {"error":{"code":…,"message":…}}}. */
    public ObjectNode json() {
        ObjectNode o = Json.mapper().createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", getMessage());
        return o;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    /**
     * A value that breaks a rule of its field (a filter, a path id, a UI topic): the message starts with the
     * field's name. The UI socket's code for any bad request.
     */
    public static ApiError invalid(String message) {
        return new ApiError(400, "invalid", message);
    }

    public static ApiError notFound(String what) {
        return new ApiError(404, "not_found", what + " not found");
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, "conflict", message);
    }
}
