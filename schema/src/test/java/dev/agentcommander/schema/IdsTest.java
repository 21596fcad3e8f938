package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void paneIdsAreAPercentAndDigits() {
        assertThat(Ids.isPaneId("%0")).isTrue();
        assertThat(Ids.isPaneId("%123456789")).isTrue();
        assertThat(Ids.isPaneId("%1234567890")).isFalse();
        assertThat(Ids.isPaneId("%1\n%2")).isFalse();
        assertThat(Ids.isPaneId("12")).isFalse();
        assertThat(Ids.isPaneId(null)).isFalse();
    }

    @Test
    void opaqueIdsAreBoundedAndFreeOfControlCharacters() {
        assertThat(Ids.isOpaque("s_abc123")).isTrue();
        assertThat(Ids.isOpaque("c_" + "a".repeat(126))).isTrue();
        assertThat(Ids.isOpaque("c_" + "a".repeat(127))).isFalse();
        assertThat(Ids.isOpaque("s_a\u0000")).isFalse();
        assertThat(Ids.isOpaque("../etc")).isFalse();
        assertThat(Ids.isOpaque("")).isFalse();
    }
}
