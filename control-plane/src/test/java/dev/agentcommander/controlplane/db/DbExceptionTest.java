package dev.agentcommander.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DbExceptionTest {
    private static DbException state(String sqlState) {
        return new DbException(new SQLException("x", sqlState));
    }

    @Test
    void dataExceptionsConstraintsAndProgramLimitsAreDataErrorsAndOutagesAreNot() {
        assertThat(state("22P05").dataError()).as("NUL in jsonb").isTrue();
        assertThat(state("22008").dataError()).as("datetime out of range").isTrue();
        assertThat(state("23505").dataError()).as("unique violation").isTrue();
        assertThat(state("54000").dataError()).as("index row too large").isTrue();
        assertThat(state("08006").dataError()).as("connection failure").isFalse();
        assertThat(state("40001").dataError()).as("serialization failure").isFalse();
        assertThat(state("57014").dataError()).as("query cancelled").isFalse();
        assertThat(state(null).dataError()).isFalse();
        assertThat(state(null).sqlState()).isEqualTo("?????");
    }
}
