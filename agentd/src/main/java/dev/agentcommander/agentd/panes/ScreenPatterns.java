package dev.agentcommander.agentd.panes;

import dev.agentcommander.schema.Provider;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an agent's screen says about it, when hooks are silent (no hooks installed, Codex, a pane adopted
 * mid-run). Only the bottom of the screen counts: the agents draw their prompt and busy line there, while
 * scrollback above may quote old prompts. A person waiting beats busy when both show.
 */
final class ScreenPatterns {
    /** What the screen shows. */
    enum Signal { WAITING, RUNNING, NONE }

    /** Lines from the bottom of the screen that are looked at. */
    static final int TAIL_LINES = 30;

    // Claude's permission menu: "❯ 1. Yes" (often inside a box "│ ❯ 1. Yes │")
    private static final Pattern CLAUDE_MENU_CURSOR = Pattern.compile("^[\\s│|]*❯\\s*1\\.\\s+Yes\\b");
    private static final Pattern NUMBERED_YES = Pattern.compile("^[\\s│|❯›>]*1\\.\\s+Yes\\b");
    // the busy line: a spinner glyph, a word, an ellipsis, then "(8m 39s · ↓ 834 tokens)" or "(esc to interrupt)"
    private static final Pattern CLAUDE_BUSY = Pattern.compile(
            "^\\s*[^\\p{L}\\p{N}\\s]\\s*\\p{L}[\\p{L}'-]*(?:…|\\.\\.\\.)\\s*\\((?:.*tokens|.*esc to interrupt|\\s*\\d+[smh]\\b)");
    private static final Pattern CODEX_WORKING = Pattern.compile("^[^\\p{L}\\p{N}]*Working\\b.*\\(");

    // the header Claude draws above the menu, and the tool it names
    private static final Map<String, String> MENU_HEADERS = Map.of("Bash command", "Bash", "Edit file", "Edit",
            "Create file", "Write", "Write file", "Write", "Read file", "Read", "Fetch", "WebFetch",
            "Web fetch", "WebFetch", "Web search", "WebSearch", "Notebook edit", "NotebookEdit");
    private static final Pattern RULE = Pattern.compile("^[╭╮╰╯─━═┌┐└┘]+$");
    /** How far above the question a header is looked for. */
    private static final int MENU_LOOKBACK = 12;
    static final int SUMMARY_MAX = 300;

    private ScreenPatterns() {
    }

    /**
     * The Claude permission menu at the bottom of the screen, or null when there is none. The tool comes from the
     * header above the question ("Bash command" → Bash), the summary from the first line under it (the command,
     * the file); an unknown header gives tool "unknown" and the menu's text up to the question as summary.
     */
    static ScreenMenu claudeMenu(List<String> tail) {
        if (claude(tail) != Signal.WAITING) {
            return null;
        }
        int q = -1;
        for (int i = 0; i < tail.size() && q < 0; i++) {
            String line = tail.get(i);
            if (line.contains("Do you want to") || CLAUDE_MENU_CURSOR.matcher(line).find()) {
                q = i;
            }
        }
        int top = q;
        int header = -1;
        for (int i = q - 1; i >= 0 && i >= q - MENU_LOOKBACK; i--) {
            String raw = tail.get(i).strip();
            if (RULE.matcher(raw).matches()) {
                break; // the menu's box or rule: nothing above it belongs to the menu
            }
            top = i;
            if (MENU_HEADERS.containsKey(unbox(raw))) {
                header = i;
                break;
            }
        }
        if (header >= 0) {
            String tool = MENU_HEADERS.get(unbox(tail.get(header)));
            for (int i = header + 1; i < q; i++) {
                String l = unbox(tail.get(i));
                if (!l.isEmpty()) {
                    return new ScreenMenu(tool, cap(l));
                }
            }
            return new ScreenMenu(tool, cap(unbox(tail.get(q))));
        }
        StringBuilder text = new StringBuilder();
        for (int i = top; i <= q; i++) {
            String l = unbox(tail.get(i));
            if (!l.isEmpty()) {
                text.append(text.isEmpty() ? "" : " ").append(l);
            }
        }
        return new ScreenMenu("unknown", cap(text.toString()));
    }

    /** A line without the menu box's side bars and surrounding blanks. */
    private static String unbox(String line) {
        String l = line.strip();
        if (l.startsWith("│") || l.startsWith("|")) {
            l = l.substring(1);
        }
        if (l.endsWith("│") || l.endsWith("|")) {
            l = l.substring(0, l.length() - 1);
        }
        return l.strip();
    }

    private static String cap(String s) {
        return s.length() <= SUMMARY_MAX ? s : s.substring(0, SUMMARY_MAX - 1) + "…";
    }

    /** The last {@link #TAIL_LINES} lines of a capture, trailing blank rows dropped. */
    static List<String> tail(String screen) {
        List<String> lines = screen.lines().toList();
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        return lines.subList(Math.max(0, end - TAIL_LINES), end);
    }

    static Signal classify(Provider provider, List<String> tail) {
        return switch (provider) {
            case CLAUDE -> claude(tail);
            case CODEX -> codex(tail);
            default -> Signal.NONE;
        };
    }

    private static Signal claude(List<String> tail) {
        boolean asks = false;
        boolean numberedYes = false;
        boolean busy = false;
        for (String line : tail) {
            if (line.contains("Do you want to proceed?") || CLAUDE_MENU_CURSOR.matcher(line).find()) {
                return Signal.WAITING;
            }
            asks |= line.contains("Do you want to");
            numberedYes |= NUMBERED_YES.matcher(line).find();
            busy |= line.toLowerCase(Locale.ROOT).contains("esc to interrupt") || CLAUDE_BUSY.matcher(line).find();
        }
        if (asks && numberedYes) {
            return Signal.WAITING; // "Do you want to make this edit to x?" with the cursor elsewhere
        }
        return busy ? Signal.RUNNING : Signal.NONE;
    }

    private static Signal codex(List<String> tail) {
        boolean busy = false;
        for (String line : tail) {
            if (line.contains("Press enter to confirm or esc to cancel")) {
                return Signal.WAITING;
            }
            busy |= line.toLowerCase(Locale.ROOT).contains("esc to interrupt")
                    || CODEX_WORKING.matcher(line).find();
        }
        return busy ? Signal.RUNNING : Signal.NONE;
    }
}
