package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionFilterTest {
    @Test
    void restAndUiFiltersParseTheSameWay() {
        SessionFilter rest = SessionFilter.parse(Map.of("status", "waiting", "provider", "claude",
                "needs_attention", "true", "host_id", "h_1")::get);
        SessionFilter ui = SessionFilter.parse(Json.mapper().createObjectNode().put("status", "WAITING")
                .put("provider", "claude").put("needs_attention", true).put("host_id", "h_1"));
        assertThat(ui).isEqualTo(rest)
                .isEqualTo(new SessionFilter("h_1", SessionStatus.WAITING, Provider.CLAUDE, true, null));
    }

    @Test
    void aNeedsAttentionThatIsNotTrueOrFalseIsRefusedNotReadAsFalse() {
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("needs_attention", "yes")::get))
                .isInstanceOf(ProtocolException.class).hasMessage("needs_attention: must be true or false");
        assertThatThrownBy(() -> SessionFilter.parse(Json.mapper().createObjectNode().put("needs_attention", "yes")))
                .isInstanceOf(ProtocolException.class).hasMessageStartingWith("needs_attention:");
        assertThatThrownBy(() -> SessionFilter.parse(Json.mapper().createObjectNode().put("needs_attention", 1)))
                .isInstanceOf(ProtocolException.class).hasMessageStartingWith("needs_attention:");
    }

    @Test
    void unknownValuesAndJunkIdsNameTheirField() {
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("status", "sleeping")::get))
                .hasMessageStartingWith("status:");
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("provider", "gpt")::get))
                .hasMessageStartingWith("provider:");
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("host_id", "h\u0000")::get))
                .hasMessageStartingWith("host_id:");
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("q", "x".repeat(201))::get))
                .hasMessageStartingWith("q:");
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("q", "feat\u0000ure")::get))
                .hasMessage("q: must not contain control characters");
    }

    @Test
    void blankValuesDoNotFilter() {
        assertThat(SessionFilter.parse(Map.of("status", " ", "q", "")::get)).isEqualTo(SessionFilter.ALL);
        assertThat(SessionFilter.parse((com.fasterxml.jackson.databind.JsonNode) null)).isEqualTo(SessionFilter.ALL);
    }

    @Test
    void aSessionIdOrKindFilterNarrowsToThatSessionOrKindAndJunkIsRefused() {
        SessionFilter one = SessionFilter.parse(Json.mapper().createObjectNode().put("session_id", "s_1"));
        assertThat(one.matches(CodecTest.session())).isTrue();
        assertThat(one.matches(CodecTest.session().withHostId("h").withManaged(true))).isTrue();
        SessionFilter other = SessionFilter.parse(Map.of("session_id", "s_2")::get);
        assertThat(other.matches(CodecTest.session())).isFalse();
        assertThat(SessionFilter.parse(Map.of("kind", "job")::get).matches(CodecTest.session())).isFalse();
        assertThat(SessionFilter.parse(Map.of("kind", "pane")::get).matches(CodecTest.session())).isTrue();
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("session_id", "s 1;rm")::get))
                .hasMessageStartingWith("session_id:");
        assertThatThrownBy(() -> SessionFilter.parse(Map.of("kind", "window")::get))
                .hasMessage("kind: must be pane or job");
    }
}
