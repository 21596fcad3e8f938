package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CloseReasonTest {
    @Test
    void aReasonRoundTripsThroughItsWireForm() {
        CloseReason r = CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "invalid host token");
        assertThat(r.code()).isEqualTo(1008);
        assertThat(r.reason()).isEqualTo("unauthorized: invalid host token");
        assertThat(CloseReason.parse(r.code(), r.reason())).isEqualTo(r);
    }

    @Test
    void theKindComesFromThePrefixNotFromTheDetailText() {
        assertThat(CloseReason.parse(1008, "superseded: unauthorized later").kind())
                .isEqualTo(CloseReason.Kind.SUPERSEDED);
        assertThat(CloseReason.parse(1008, "not unauthorized at all").kind()).isEqualTo(CloseReason.Kind.OTHER);
    }

    @Test
    void anUnknownReasonFallsBackToTheCode() {
        assertThat(CloseReason.parse(1013, "database down").kind()).isEqualTo(CloseReason.Kind.UNAVAILABLE);
        assertThat(CloseReason.parse(1013, "database down").detail()).isEqualTo("database down");
        assertThat(CloseReason.parse(4000, null).kind()).isEqualTo(CloseReason.Kind.OTHER);
    }

    @Test
    void aLongDetailIsCutToFitACloseFrame() {
        String reason = CloseReason.of(CloseReason.Kind.INTERNAL, "x".repeat(500)).reason();
        assertThat(reason).hasSize(CloseReason.MAX_REASON_CHARS).startsWith("internal: x");
    }
}
