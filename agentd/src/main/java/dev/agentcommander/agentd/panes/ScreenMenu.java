package dev.agentcommander.agentd.panes;

import java.util.List;

/**
 * A permission dialog read off a pane's screen: what a person must know to decide without looking at the pane.
 * Screen text is all there is for sessions without our hooks, so the parse says how sure it is: {@code readable}
 * is false when the dialog did not have the shape Claude Code 2.1.328 or Codex 0.169.0 draws
 * (docs/real-clients.md), and then {@code summary} is null rather than a guess.
 *
 * @param toolName    from the dialog's title ("Bash command" → Bash, "Create file" → Write); "unknown" otherwise
 * @param summary     what the tool will act on: the command for Bash, the file name (relative to the cwd) for
 *                    Write/Edit; null when unreadable
 * @param description the model's one-line description of a Bash command (never a substitute for the command)
 * @param question    "Do you want to proceed?", "Do you want to create notes.txt?"
 * @param options     the options' labels, top to bottom, without numbers or cursor
 * @param numbered    whether the options carry numbers ("1. Yes"); auto mode's dialog has none
 * @param readable    whether the dialog parsed with confidence
 */
public record ScreenMenu(String toolName, String summary, String description, String question, List<String> options,
                         boolean numbered, boolean readable) {
    public ScreenMenu {
        options = options == null ? List.of() : List.copyOf(options);
    }

    /** The permission dialog on this screen text ({@code capture-pane -p -J}), or null when none shows. */
    public static ScreenMenu onScreen(String screen) {
        return parse(ScreenPatterns.lines(screen)).menu();
    }

    /** Where the dialog's cursor ({@code ❯}; Codex: {@code ›}) is on this screen: an index into options, or -1. */
    public static int cursorOnScreen(String screen) {
        return parse(ScreenPatterns.lines(screen)).cursor();
    }

    /**
     * Codex's dialog (anchored on its own footer, which Claude never draws) or else Claude's: the keys path reads
     * the pane without knowing which agent runs there, and must see the same menu the scanner raised.
     */
    static ClaudeDialogs.Parsed parse(List<String> lines) {
        ClaudeDialogs.Parsed codex = CodexDialogs.parse(lines);
        return codex.menu() != null ? codex : ClaudeDialogs.parse(lines);
    }

    /** The index of the option labelled exactly {@code label}, or of the first starting with it; -1 if none. */
    public int option(String label) {
        int prefix = -1;
        for (int i = 0; i < options.size(); i++) {
            String o = options.get(i);
            if (o.equals(label)) {
                return i;
            }
            if (prefix < 0 && (o.startsWith(label + ",") || o.startsWith(label + " "))) {
                prefix = i;
            }
        }
        return prefix;
    }
}
