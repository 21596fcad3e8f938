package dev.agentcommander.agentd.tmux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.tmux.ControlLines;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ControlLinesTest {
    private static byte[] decode(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        ControlLines.Output out = ControlLines.parseOutput(b, b.length);
        assertThat(out).isNotNull();
        byte[] dst = new byte[b.length];
        int n = ControlLines.unescape(b, out.dataStart(), b.length, dst);
        return Arrays.copyOf(dst, n);
    }

    @Test
    void octalEscapesBecomeBytesAndEverythingElseIsRaw() {
        assertThat(decode("%output %12 a\\015\\012\\134b\\033[0m ✻"))
                .isEqualTo("a\r\n\\b\033[0m ✻".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aBackslashWithoutThreeOctalDigitsStaysAsItIs() {
        assertThat(decode("%output %1 x\\9y\\01")).isEqualTo("x\\9y\\01".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void extendedOutputCarriesItsDataAfterTheColon() {
        byte[] line = "%extended-output %7 1234 : hi\\012".getBytes(StandardCharsets.US_ASCII);
        ControlLines.Output out = ControlLines.parseOutput(line, line.length);
        assertThat(out.paneId()).isEqualTo("%7");
        byte[] dst = new byte[line.length];
        int n = ControlLines.unescape(line, out.dataStart(), line.length, dst);
        assertThat(new String(dst, 0, n, StandardCharsets.US_ASCII)).isEqualTo("hi\n");
    }

    @Test
    void otherNotificationsAreNotOutput() {
        byte[] line = "%begin 1 2 1".getBytes(StandardCharsets.US_ASCII);
        assertThat(ControlLines.parseOutput(line, line.length)).isNull();
        byte[] empty = "%output %3 ".getBytes(StandardCharsets.US_ASCII);
        assertThat(ControlLines.parseOutput(empty, empty.length).dataStart()).isEqualTo(empty.length);
    }
}
