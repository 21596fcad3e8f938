package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.schema.CommandSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalInputTest {
    private static List<CommandSpec> of(String typed) {
        return TerminalInput.commands("s", typed.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void textIsPastedLiterallyAndEnterSubmitsIt() {
        assertThat(of("a \"$(rm -rf ~)\"; `x` ü\r")).containsExactly(
                new CommandSpec.SendInput("s", "a \"$(rm -rf ~)\"; `x` ü", true));
    }

    @Test
    void singleLettersAndControlBytesAreKeysSoMenusSeeAKeyPress() {
        assertThat(of("1")).containsExactly(new CommandSpec.SendKeys("s", List.of("1")));
        assertThat(of(" ")).containsExactly(new CommandSpec.SendKeys("s", List.of("Space")));
        assertThat(of("\u0003\u001b\t\u007f\r")).containsExactly(
                new CommandSpec.SendKeys("s", List.of("C-c", "Escape", "Tab", "BSpace", "Enter")));
        assertThat(of("\u001b[A\u001b[B\u001b[C\u001b[D\u001b[3~\u001bOH")).containsExactly(
                new CommandSpec.SendKeys("s", List.of("Up", "Down", "Right", "Left", "DC", "Home")));
    }

    @Test
    void sequencesWithoutAKeyNameAndC1AreDroppedNeverTyped() {
        assertThat(of("\u001b[200~")).isEmpty();
        assertThat(of("\u001b[1;5Ax")).containsExactly(new CommandSpec.SendKeys("s", List.of("x")));
        assertThat(of("a\u009bb\u0000")).containsExactly(new CommandSpec.SendInput("s", "ab", false));
    }

    @Test
    void orderIsKeptAcrossTextAndKeys() {
        assertThat(of("ls\u001b[Dx\r")).containsExactly(new CommandSpec.SendInput("s", "ls", false),
                new CommandSpec.SendKeys("s", List.of("Left")), new CommandSpec.SendInput("s", "x", true));
    }
}
