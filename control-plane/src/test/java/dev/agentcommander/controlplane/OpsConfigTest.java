package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.schema.log.LogLines;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** METRICS_*, *_RETENTION_DAYS and LOG_FORMAT: defaults, and every bad value refused at start naming its key. */
class OpsConfigTest {
    @Test
    void defaultsAreMetricsOnForLoopbackThirtyDaysOfEventsAYearOfAuditAndTextLogs() {
        OpsConfig o = ServerConfig.fromEnv(Map.of("HOME", "/home/u")).ops();
        assertThat(o).isEqualTo(new OpsConfig(true, null, 30, 365, LogLines.Format.TEXT));
        OpsConfig set = ServerConfig.fromEnv(Map.of("METRICS_ENABLED", "false", "METRICS_TOKEN",
                "0123456789abcdef", "EVENTS_RETENTION_DAYS", "7", "AUDIT_RETENTION_DAYS", "0", "LOG_FORMAT",
                "json")).ops();
        assertThat(set).isEqualTo(new OpsConfig(false, "0123456789abcdef", 7, 0, LogLines.Format.JSON));
    }

    @Test
    void badValuesNameTheVariableAndNeverEchoTheToken() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("METRICS_TOKEN", "s3cr3t")))
                .isInstanceOf(ServerConfig.ConfigException.class).hasMessageStartingWith("METRICS_TOKEN:")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("METRICS_TOKEN", "has a space in it, long")))
                .hasMessageStartingWith("METRICS_TOKEN:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("METRICS_ENABLED", "yes")))
                .hasMessage("METRICS_ENABLED: must be true or false, got 'yes'");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("EVENTS_RETENTION_DAYS", "-1")))
                .hasMessageStartingWith("EVENTS_RETENTION_DAYS: must be 0..36500");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("AUDIT_RETENTION_DAYS", "forever")))
                .hasMessage("AUDIT_RETENTION_DAYS: must be an integer, got 'forever'");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("LOG_FORMAT", "xml")))
                .hasMessage("LOG_FORMAT: must be text or json, got 'xml'");
        assertThatThrownBy(() -> OpsConfig.logFormat(Map.of("LOG_FORMAT", "JSONL")))
                .hasMessage("LOG_FORMAT: must be text or json, got 'JSONL'");
    }
}
