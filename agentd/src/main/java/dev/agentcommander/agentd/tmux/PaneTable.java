package dev.agentcommander.agentd.tmux;

import dev.agentcommander.schema.Ids;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One {@code list-panes -a} listing that no pane can forge. tmux prints a pane's fields raw, and several are text
 * the pane's own processes choose: the directory it sits in, its argv[0], user options any process may set with
 * {@code tmux set -p}. With a fixed separator a directory named {@code "x\n%9\u001f…"} made whole extra rows (a
 * chosen session id, a "claude" pointing at another pane). So every listing gets a fresh random token, known only
 * to agentd and the tmux server: it separates the fields and ends each row, it travels on tmux's stdin (never in
 * argv, which {@code /proc} shows to every process), and a row counts only with exactly the fields asked for, a
 * pane id of tmux's shape and a pane id not listed before (a window linked into two sessions is listed once per
 * session; its first row stands).
 */
final class PaneTable {
    private static final System.Logger LOG = System.getLogger(PaneTable.class.getName());
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int TOKEN_LENGTH = 32; // ~165 bits
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The tmux formats of {@link Pane}'s components, in order. */
    static final List<String> FIELDS = List.of("pane_id", "session_name", "window_index", "window_name", "pane_pid",
            "pane_current_command", "pane_current_path", "pane_title", "pane_width", "pane_height", "pane_dead",
            "@ac_session_id", "@ac_name", "window_activity", "@ac_managed");

    private final String fieldEnd;
    private final String rowEnd;

    private PaneTable(String token) {
        this.fieldEnd = token + "_f";
        this.rowEnd = token + "_r";
    }

    /** A listing with a token of its own; one per call of list-panes. */
    static PaneTable fresh() {
        StringBuilder token = new StringBuilder(TOKEN_LENGTH);
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            token.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return new PaneTable(token.toString());
    }

    /** For tests: a listing whose token is known. */
    static PaneTable withToken(String token) {
        if (!token.matches("[a-z0-9]{16,}")) {
            throw new IllegalArgumentException("a token is 16 or more of [a-z0-9]");
        }
        return new PaneTable(token);
    }

    /**
     * The tmux command, for {@code source-file -}: single quotes keep the format literal in tmux's command
     * parser, and neither the formats nor the token hold a quote.
     */
    String command() {
        return line() + "\n";
    }

    /** The same command as one control-mode command line ({@link PaneLister}). */
    String line() {
        StringBuilder f = new StringBuilder();
        for (String field : FIELDS) {
            f.append("#{").append(field).append('}').append(fieldEnd);
        }
        return "list-panes -a -F '" + f.append(rowEnd) + "'";
    }

    /**
     * The panes of a listing that must be whole: null unless {@code out} ends exactly at a row end of ours and
     * holds at least one pane. A control-mode reply ends at a {@code %end} line, and a pane's text can hold a line
     * that looks like one; a reply cut there ends inside a row (the text before such a line is the pane's own,
     * never this listing's token), so it reads as broken, not as a server with fewer panes.
     */
    List<Pane> parseWhole(String out) {
        if (!out.endsWith(rowEnd + "\n")) {
            return null;
        }
        List<Pane> panes = parse(out);
        return panes.isEmpty() ? null : panes;
    }

    /** The panes of {@code out} (what the command printed); rows that are not whole rows of ours are dropped. */
    List<Pane> parse(String out) {
        List<Pane> panes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String end = rowEnd + "\n";
        int from = 0;
        int dropped = 0;
        for (int at = out.indexOf(end); at >= 0; at = out.indexOf(end, from)) {
            Pane p = row(out.substring(from, at));
            from = at + end.length();
            if (p == null || !seen.add(p.paneId())) {
                dropped++;
                continue;
            }
            panes.add(p);
        }
        if (dropped > 0 || from != out.length()) {
            int rows = dropped; // the rows' text is the panes' own: say how much, never what
            int trailing = out.length() - from;
            LOG.log(System.Logger.Level.DEBUG, () -> "list-panes: dropped " + rows + " row(s) and " + trailing
                    + " trailing char(s) that were not whole rows of ours");
        }
        return panes;
    }

    private Pane row(String row) {
        List<String> f = new ArrayList<>(FIELDS.size());
        int from = 0;
        for (int at = row.indexOf(fieldEnd); at >= 0; at = row.indexOf(fieldEnd, from)) {
            f.add(row.substring(from, at));
            from = at + fieldEnd.length();
        }
        if (from != row.length() || f.size() != FIELDS.size() || !Ids.isPaneId(f.get(0))) {
            return null;
        }
        return new Pane(f.get(0), f.get(1), f.get(2), f.get(3), toInt(f.get(4)), f.get(5), f.get(6), f.get(7),
                toInt(f.get(8)), toInt(f.get(9)), "1".equals(f.get(10)), f.get(11), f.get(12), toLong(f.get(13)), f.get(14));
    }

    private static int toInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long toLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
