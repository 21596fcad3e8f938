package dev.agentcommander.schema.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogLinesTest {
    private static LogRecord record(String message, Throwable thrown) {
        LogRecord r = new LogRecord(Level.WARNING, message);
        r.setLoggerName("dev.agentcommander.controlplane.link.Ingest");
        r.setInstant(Instant.parse("2026-12-02T02:30:00Z"));
        r.setThrown(thrown);
        return r;
    }

    private static Exception failure() {
        return new IllegalStateException("outer\nsecond line", new RuntimeException("cause"));
    }

    @Test
    void textIsOneLineWithMillisecondsLevelSimpleLoggerNameAndTheStackTraceOnTheSameLine() {
        String line = new LogLines(LogLines.Format.TEXT).format(record("stored\nbatch", failure()));
        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n").doesNotContain("\r")
                .startsWith("2026-12-02T02:30:00.000Z WARNING Ingest: stored batch | java.lang.IllegalStateException: "
                        + "outer | second line | ")
                .contains("Caused by: java.lang.RuntimeException: cause");
        assertThat(new LogLines(LogLines.Format.TEXT).format(record("plain", null)))
                .isEqualTo("2026-12-02T02:30:00.000Z WARNING Ingest: plain\n");
    }

    @Test
    void jsonIsOneObjectPerLineWithTsLevelLoggerMessageThreadAndError() throws Exception {
        String line = new LogLines(LogLines.Format.JSON).format(record("stored\n\"batch\"", failure()));
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode o = Json.mapper().readTree(line);
        assertThat(o.get("ts").asText()).isEqualTo("2026-12-02T02:30:00.000Z");
        assertThat(o.get("level").asText()).isEqualTo("WARNING");
        assertThat(o.get("logger").asText()).isEqualTo("dev.agentcommander.controlplane.link.Ingest");
        assertThat(o.get("message").asText()).isEqualTo("stored\n\"batch\"");
        assertThat(o.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(o.get("error").asText()).startsWith("java.lang.IllegalStateException: outer\nsecond line")
                .contains("Caused by: java.lang.RuntimeException: cause");
        assertThat(Json.mapper().readTree(new LogLines(LogLines.Format.JSON).format(record("m", null))).has("error"))
                .isFalse();
    }

    @Test
    void theFormatIsTextOrJsonAndAnythingElseNamesTheKey() {
        assertThat(LogLines.Format.parse("LOG_FORMAT", null)).isEqualTo(LogLines.Format.TEXT);
        assertThat(LogLines.Format.parse("LOG_FORMAT", " JSON ")).isEqualTo(LogLines.Format.JSON);
        assertThatThrownBy(() -> LogLines.Format.parse("LOG_FORMAT", "logfmt"))
                .hasMessage("LOG_FORMAT: must be text or json, got 'logfmt'");
    }
}
