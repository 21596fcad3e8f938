package dev.agentcommander.agentd.panes;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Codex TUI's approval dialog as 0.169.0 draws it (golden {@code codex-0.169.0/dialog-*.txt} in the e2e
 * tests, recorded from the real TUI): a title ("Would you like to run the following command?"), for a command an
 * {@code Environment:} line, an optional {@code Reason:} (the model's justification) and the command after
 * {@code $ } (wrapped lines indented by two), then numbered options with the cursor {@code ›} on one ("1. Yes,
 * proceed (y)", "3. No, and tell Codex what to do differently (esc)"; a long option wraps onto indented lines) and
 * the footer "Press enter to confirm or esc to cancel". Codex's other approvals (edits, network, permissions, MCP)
 * are read as menus but unreadable: their subject was never recorded here, so the approver is not shown a guess.
 */
final class CodexDialogs {
    static final String FOOTER = "Press enter to confirm or esc to cancel";
    static final String EXEC_TITLE = "Would you like to run the following command?";
    private static final Pattern OPTION = Pattern.compile("^\\s*(›)?\\s*(\\d+)\\.\\s+(\\S.*?)\\s*$");
    /** The first words of every approval title Codex draws; the title bounds the dialog at the top. */
    private static final List<String> TITLE_STARTS = List.of("Would you like to", "Do you want to approve",
            "Allow ");

    private CodexDialogs() {
    }

    static ClaudeDialogs.Parsed parse(List<String> lines) {
        int footer = -1;
        int bottom = Math.max(0, lines.size() - ScreenPatterns.TAIL_LINES); // the dialog is drawn at the bottom
        for (int i = lines.size() - 1; i >= bottom && footer < 0; i--) {
            if (lines.get(i).strip().equals(FOOTER)) {
                footer = i;
            }
        }
        if (footer < 0) {
            return ClaudeDialogs.Parsed.NONE;
        }
        // the options: numbered lines (and their wrapped continuations) directly above the footer
        int first = footer;
        for (int i = footer - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (OPTION.matcher(l).matches()) {
                first = i;
            } else if (!l.isBlank() && !l.startsWith("     ")) {
                break;
            }
        }
        List<String> options = new ArrayList<>();
        int cursor = -1;
        for (int i = first; i < footer; i++) {
            String l = lines.get(i);
            Matcher m = OPTION.matcher(l);
            if (m.matches()) {
                if (m.group(1) != null) {
                    cursor = options.size();
                }
                if (Integer.parseInt(m.group(2)) != options.size() + 1) {
                    return ClaudeDialogs.Parsed.NONE; // not a menu Codex drew: numbers out of sequence
                }
                options.add(m.group(3));
            } else if (!l.isBlank() && !options.isEmpty()) {
                options.set(options.size() - 1, options.getLast() + " " + l.strip());
            }
        }
        if (options.isEmpty()) {
            return ClaudeDialogs.Parsed.NONE; // the footer's words quoted in output, no dialog
        }
        int title = -1;
        for (int i = first - 1; i >= 0 && title < 0; i--) {
            String l = lines.get(i).strip();
            if (TITLE_STARTS.stream().anyMatch(l::startsWith) && l.endsWith("?")) {
                title = i;
            }
        }
        String question = title < 0 ? null : lines.get(title).strip();
        if (!EXEC_TITLE.equals(question)) {
            return new ClaudeDialogs.Parsed(unreadable("unknown", question, options), cursor);
        }
        int dollar = -1;
        String reason = null;
        for (int i = title + 1; i < first && dollar < 0; i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("$ ")) {
                dollar = i;
            } else if (l.startsWith("Reason: ")) {
                reason = l.substring("Reason: ".length()).strip();
            }
        }
        if (dollar < 0) {
            return new ClaudeDialogs.Parsed(unreadable("Bash", question, options), cursor);
        }
        StringBuilder command = new StringBuilder(lines.get(dollar).strip().substring(2));
        for (int i = dollar + 1; i < first && !lines.get(i).isBlank(); i++) {
            String l = lines.get(i).stripTrailing();
            command.append('\n').append(l.startsWith("  ") ? l.substring(2) : l.strip());
        }
        String cmd = command.toString().strip();
        if (cmd.isEmpty()) {
            return new ClaudeDialogs.Parsed(unreadable("Bash", question, options), cursor);
        }
        return new ClaudeDialogs.Parsed(new ScreenMenu("Bash", cap(cmd),
                reason == null || reason.isEmpty() ? null : cap(reason), question, options, true, true), cursor);
    }

    private static ScreenMenu unreadable(String tool, String question, List<String> options) {
        return new ScreenMenu(tool, null, null, question, options, true, false);
    }

    private static String cap(String s) {
        return s.length() <= ClaudeDialogs.SUMMARY_MAX ? s : s.substring(0, ClaudeDialogs.SUMMARY_MAX - 1) + "…";
    }
}
