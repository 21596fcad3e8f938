package dev.agentcommander.agentd.tmux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows count only when whole, in the listing's own token; what a pane can put in a field cannot add one. */
class PaneTableTest {
    private static final String TOKEN = "k3y0ftheday7zq9w";
    private final PaneTable table = PaneTable.withToken(TOKEN);

    private static String row(String paneId, String cwd, String sessionId) {
        return String.join(TOKEN + "_f", paneId, "main", "1", "win", "4242", "bash", cwd, "title", "80", "24",
                "0", sessionId, "", "1700000000", "1") + TOKEN + "_f" + TOKEN + "_r\n";
    }

    @Test
    void readsWholeRowsWithFieldsHoldingNewlinesAndUnitSeparators() {
        String cwd = "/tmp/a\n%9\u001fmain\u001f0\u001fb";
        List<Pane> panes = table.parse(row("%1", cwd, "s_one") + row("%2", "/tmp", ""));
        assertThat(panes).extracting(Pane::paneId).containsExactly("%1", "%2");
        Pane p = panes.get(0);
        assertThat(p.cwd()).isEqualTo(cwd);
        assertThat(p.acSessionId()).isEqualTo("s_one");
        assertThat(p.panePid()).isEqualTo(4242);
        assertThat(p.width()).isEqualTo(80);
        assertThat(p.windowActivity()).isEqualTo(1700000000L);
        assertThat(p.acManaged()).isEqualTo("1");
        assertThat(panes.get(1).acSessionId()).isEmpty();
    }

    @Test
    void aRowInAnotherTokenOrTheOldSeparatorsIsNotARow() {
        String guessed = row("%7", "/tmp", "s_forged").replace(TOKEN, "guessedtoken0000");
        String oldFormat = String.join("\u001f", "%8", "main", "0", "w", "1", "claude", "/", "t", "80", "24", "0",
                "s_forged", "", "0") + "\n";
        List<Pane> panes = table.parse(row("%1", "/tmp", "s_one") + guessed + oldFormat + row("%2", "/tmp", ""));
        // the junk sits between two rows, so it becomes part of the row after it, which is then not whole
        assertThat(panes).extracting(Pane::paneId).containsExactly("%1");
        assertThat(panes).extracting(Pane::acSessionId).doesNotContain("s_forged");
    }

    @Test
    void aRowWithTooFewOrTooManyFieldsIsDropped() {
        String shortRow = row("%3", "/tmp", "s_x").replace(TOKEN + "_f" + TOKEN + "_r", TOKEN + "_r");
        String longRow = row("%4", "/tmp", "s_y").replace(TOKEN + "_r", "extra" + TOKEN + "_f" + TOKEN + "_r");
        assertThat(table.parse(row("%1", "/tmp", "") + shortRow + longRow)).extracting(Pane::paneId)
                .containsExactly("%1");
    }

    @Test
    void malformedPaneIdsAreDroppedAndADuplicatePaneKeepsItsFirstRow() {
        String out = row("%1", "/first", "s_a") + row("1", "/tmp", "") + row("%x", "/tmp", "")
                + row("%1234567890", "/tmp", "") + row("%1", "/second", "s_b") + row("%2", "/tmp", "");
        List<Pane> panes = table.parse(out);
        assertThat(panes).extracting(Pane::paneId).containsExactly("%1", "%2");
        assertThat(panes.get(0).cwd()).isEqualTo("/first");
    }

    @Test
    void trailingTextThatIsNotAWholeRowIsIgnored() {
        assertThat(table.parse(row("%1", "/tmp", "") + "%2" + TOKEN + "_f")).extracting(Pane::paneId)
                .containsExactly("%1");
        assertThat(table.parse("")).isEmpty();
    }

    @Test
    void everyListingHasItsOwnTokenAndTheCommandQuotesTheFormat() {
        String a = PaneTable.fresh().command();
        String b = PaneTable.fresh().command();
        assertThat(a).isNotEqualTo(b).startsWith("list-panes -a -F '#{pane_id}").endsWith("_r'\n");
        assertThat(a.chars().filter(c -> c == '\'').count()).isEqualTo(2);
    }

    @Test
    void aListingCutInsideARowIsNotWhole() {
        String whole = row("%1", "/tmp", "") + row("%2", "/a\n%end 1 2 1\nb", "");
        assertThat(table.parseWhole(whole)).extracting(Pane::paneId).containsExactly("%1", "%2");
        String cut = whole.substring(0, whole.indexOf("%end")); // a control-mode reply ended at the forged line
        assertThat(table.parse(cut)).extracting(Pane::paneId).containsExactly("%1"); // a lenient read loses %2
        assertThat(table.parseWhole(cut)).isNull();
        assertThat(table.parseWhole("")).isNull();
        assertThat(table.parseWhole(row("%x", "/tmp", ""))).isNull();
    }
}
