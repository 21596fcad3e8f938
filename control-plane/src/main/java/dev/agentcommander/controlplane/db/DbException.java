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

    /** Whether the failure is about the data (class 22/23), so retrying the same batch cannot help. */
    public boolean dataError() {
        String state = sqlException().getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
