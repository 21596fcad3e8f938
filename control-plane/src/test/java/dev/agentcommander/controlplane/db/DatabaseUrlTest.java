package dev.agentcommander.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {
    @Test
    void postgresUrlsBecomeJdbcUrlsWithBatchRewriting() {
        assertThat(Database.jdbcUrl("postgres://ac:p%40ss@db.example:5433/commander"))
                .isEqualTo("jdbc:postgresql://db.example:5433/commander?user=ac&password=p%40ss"
                        + "&reWriteBatchedInserts=true");
        assertThat(Database.jdbcUrl("jdbc:postgresql://h/db")).isEqualTo("jdbc:postgresql://h/db?reWriteBatchedInserts=true");
        assertThat(Database.jdbcUrl("jdbc:postgresql://h/db?reWriteBatchedInserts=false"))
                .isEqualTo("jdbc:postgresql://h/db?reWriteBatchedInserts=false");
    }
}
