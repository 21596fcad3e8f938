package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A missing real CLI fails the test with the command that installs it, never a silent skip. */
class RealClisTest {
    @Test
    void aPathThatIsNotAnExecutableNamesTheInstallScript() {
        String before = System.getProperty("ac.codex.bin");
        System.setProperty("ac.codex.bin", "/nonexistent/codex");
        try {
            assertThatThrownBy(RealClis::codex).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("/nonexistent/codex").hasMessageContaining("e2e/real-clis/install");
        } finally {
            if (before == null) {
                System.clearProperty("ac.codex.bin");
            } else {
                System.setProperty("ac.codex.bin", before);
            }
        }
    }
}
