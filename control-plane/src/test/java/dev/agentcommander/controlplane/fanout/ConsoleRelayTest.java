package dev.agentcommander.controlplane.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Console frames cut into NOTIFY-sized pieces and put together again; a lost piece drops only its frame. */
class ConsoleRelayTest {
    private final List<FanOut.Change> delivered = new ArrayList<>();
    private final ConsoleRelay relay = new ConsoleRelay(null, "rme", delivered::add, Clock.systemUTC());

    private static String chunkText(String text, long offset) {
        return Codec.encodeAgent(new AgentMessage.ConsoleChunk("s-1", "cs_a", offset,
                Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))), 1L,
                java.time.Instant.parse("2026-12-02T03:00:00Z"));
    }

    private void send(String origin, String relayId, String frame, int skip) {
        List<String> pieces = ConsoleRelay.pieces(frame);
        for (int i = 0; i < pieces.size(); i++) {
            if (i + 1 != skip) {
                relay.received(origin + " " + relayId + " " + (i + 1) + "/" + pieces.size() + " h_1 " + pieces.get(i));
            }
        }
    }

    @Test
    void piecesStayUnderThePayloadLimitAndNeverSplitACharacter() {
        String text = "é😀x".repeat(5000);
        List<String> pieces = ConsoleRelay.pieces(text);
        assertThat(pieces).hasSizeGreaterThan(3);
        assertThat(String.join("", pieces)).isEqualTo(text);
        assertThat(pieces).allSatisfy(p -> {
            assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ConsoleRelay.PIECE);
            assertThat(Character.isLowSurrogate(p.charAt(0))).isFalse();
        });
    }

    @Test
    void aFrameInManyPiecesArrivesWholeAndAFrameWithALostPieceIsDroppedAlone() {
        String big = "x".repeat(20_000);
        send("rother", "1", chunkText(big, 0), 0);
        send("rother", "2", chunkText("y".repeat(20_000), 20_000), 2); // its second piece never arrives
        send("rother", "3", chunkText("after", 40_000), 0);
        send("rme", "4", chunkText("mine", 0), 0); // this replica's own: never delivered back
        relay.received("rother garbage");
        relay.received("rother 5 0/0 h_1 {}");
        assertThat(delivered).hasSize(2);
        FanOut.Console first = (FanOut.Console) delivered.get(0);
        assertThat(first.hostId()).isEqualTo("h_1");
        assertThat(first.sessionId()).isEqualTo("s-1");
        assertThat(new String(Base64.getDecoder().decode(((AgentMessage.ConsoleChunk) first.message()).data()),
                StandardCharsets.UTF_8)).isEqualTo(big);
        assertThat(((AgentMessage.ConsoleChunk) ((FanOut.Console) delivered.get(1)).message()).offset())
                .isEqualTo(40_000);
    }
}
