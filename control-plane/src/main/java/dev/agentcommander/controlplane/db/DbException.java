package dev.agentcommander.controlplane.db;

import java.sql.SQLException;

/** A database failure: REST answers 503, ingest keeps the batch unacked and retries. */
public final class DbException extends RuntimeException {
    public DbException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public SQLException sqlException() {
        return (SQLException) getCause();
    }

    /** Whether a unique constraint refused the row (SQLSTATE 23505): the caller's conflict, not an outage. */
    public boolean uniqueViolation() {
        return "23505".equals(sqlException().getSQLState());
    }

    /**
     * Whether Postgres refused a value as data (SQLSTATE class 22: a NUL byte in text, a number out of range, a
     * value too long): the request's fault, so a client hears 400, not "database unavailable".
     */
    public boolean badValue() {
        String state = sqlException().getSQLState();
        return state != null && state.startsWith("22");
    }

    /**
     * Whether the failure is about the data, so retrying the same statement cannot help: class 22 (data exception:
     * a NUL in JSON, a value out of range), 23 (integrity constraint) and 54 (program limit exceeded: a value too
     * large for an index row). Anything else (connection lost, serialization failure, timeout) may pass on retry.
     */
    public boolean dataError() {
        return isDataError(sqlException());
    }

    /** {@link #dataError()} for a plain {@link SQLException}. */
    public static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
    }

    /** The SQLSTATE, or {@code "?????"} when the driver gave none. */
    public String sqlState() {
        String state = sqlException().getSQLState();
        return state == null ? "?????" : state;
    }
}
