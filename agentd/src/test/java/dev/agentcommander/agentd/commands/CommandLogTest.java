package dev.agentcommander.agentd.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

class CommandLogTest {
    @Test
    void aLineTornByACrashDoesNotSwallowTheNextRecord() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "command-log");
        Path file = dir.resolve("commands.log");
        try (CommandLog log = new CommandLog(file, 100)) {
            log.started("c-1");
        }
        // a crash in the middle of appending the next record
        Files.writeString(file, "{\"id\":\"c-torn\",\"sta", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (CommandLog log = new CommandLog(file, 100)) {
            assertThat(log.get("c-1")).isPresent();
            assertThat(log.get("c-torn")).isEmpty();
            log.started("c-2");
        }
        try (CommandLog log = new CommandLog(file, 100)) {
            assertThat(log.get("c-2")).as("the record after the torn line is readable").isPresent();
            assertThat(log.get("c-1")).isPresent();
        }
    }
}
