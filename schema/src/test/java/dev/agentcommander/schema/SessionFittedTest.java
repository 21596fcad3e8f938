package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionFittedTest {
    private static String frame(Session s) {
        return Codec.encodeAgent(new AgentMessage.SessionsUpsert(s), 1L, Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void aPanesHugeTitleAndNulBranchAreCutToTheBoundsInsteadOfGettingTheUpsertRefused() {
        Session raw = new Session("s_1", null, SessionKind.PANE, Provider.SHELL, SessionStatus.IDLE, false,
                "n".repeat(5000), new Session.Tmux("main", "0", "%1"), "/home/dev", new Session.Git("/r",
                "feat\u0000x", false), "\uD83D\uDE00".repeat(600), null, null);
        assertThatThrownBy(() -> Codec.decodeAgent(frame(raw))).isInstanceOf(ProtocolException.class);
        Session fitted = raw.fitted();
        AgentMessage back = Codec.decodeAgent(frame(fitted)).message();
        Session s = ((AgentMessage.SessionsUpsert) back).session();
        assertThat(s.name()).hasSize(256);
        assertThat(s.git().branch()).isEqualTo("featx");
        assertThat(s.title()).hasSizeLessThanOrEqualTo(1024);
        assertThat(Character.isHighSurrogate(s.title().charAt(s.title().length() - 1))).isFalse();
        assertThat(s.cwd()).isEqualTo("/home/dev");
    }
}
