package dev.agentcommander.agentd.panes;

import dev.agentcommander.schema.Provider;
import java.util.List;
import java.util.Locale;
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

    /** Auto mode's stop screen: the server-side check is unreachable and Claude waits for a choice. */
    private static final List<String> AUTO_MODE_STOP = List.of("Auto mode can't check actions in this session",
            "Enter to stay in auto mode");

    private ScreenPatterns() {
    }

    /** Whether the tail shows a permission menu's question or cursor (not only the auto-mode stop screen). */
    static boolean showsMenu(List<String> tail) {
        for (String line : tail) {
            if (line.contains("Do you want to") || CLAUDE_MENU_CURSOR.matcher(line).find()) {
                return true;
            }
        }
        return false;
    }

    /** The Claude permission dialog on the screen, or null when there is none ({@link ClaudeDialogs}). */
    static ScreenMenu claudeMenu(List<String> lines) {
        return ClaudeDialogs.parse(lines).menu();
    }

    /** Every line of a capture, trailing blank rows dropped. */
    static List<String> lines(String screen) {
        List<String> lines = screen.lines().map(l -> l.replace('\u00a0', ' ')).toList();
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        return lines.subList(0, end);
    }

    /** The last {@link #TAIL_LINES} lines of a capture, trailing blank rows dropped. */
    static List<String> tail(String screen) {
        List<String> lines = lines(screen);
        return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
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
            if (line.contains("Do you want to proceed?") || CLAUDE_MENU_CURSOR.matcher(line).find()
                    || AUTO_MODE_STOP.stream().anyMatch(line::contains)) {
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
