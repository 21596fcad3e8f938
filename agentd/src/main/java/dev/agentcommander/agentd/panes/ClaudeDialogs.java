package dev.agentcommander.agentd.panes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Claude Code's permission dialog as 2.1.328 draws it (golden {@code dialog-*.txt} in the e2e tests): a
 * full-width rule ({@code ─}), a title ("Bash command", "Create file", "Edit file"), for Bash the model's
 * one-line description and then the command between dashed rules ({@code ╌}), for Write/Edit the file name and
 * then the content or diff between dashed rules, a question ("Do you want to …"), the options (numbered, or not in
 * auto mode, the cursor {@code ❯} on one), and {@code Esc to cancel}. The whole capture is read, not only its
 * bottom, because a long preview pushes the title far up. Anything else is "unreadable": the caller says so on the
 * approval instead of guessing what the command is.
 */
final class ClaudeDialogs {
    /** The parse: the menu (null when no dialog shows) and the cursor's option index (-1 when unknown). */
    record Parsed(ScreenMenu menu, int cursor) {
        static final Parsed NONE = new Parsed(null, -1);
    }

    static final Map<String, String> TITLES = Map.of("Bash command", "Bash", "Edit file", "Edit",
            "Create file", "Write", "Write file", "Write", "Read file", "Read", "Fetch", "WebFetch",
            "Web fetch", "WebFetch", "Web search", "WebSearch", "Notebook edit", "NotebookEdit");
    static final int SUMMARY_MAX = 4000;
    private static final Pattern FULL_RULE = Pattern.compile("^\\s*─{20,}\\s*$");
    private static final Pattern DASHED_RULE = Pattern.compile("^\\s*╌{10,}\\s*$");
    private static final Pattern OPTION = Pattern.compile("^\\s*(❯)?\\s*(?:(\\d+)\\.\\s+)?(\\S.*?)\\s*$");

    private ClaudeDialogs() {
    }

    static Parsed parse(List<String> lines) {
        int esc = -1;
        int bottom = Math.max(0, lines.size() - ScreenPatterns.TAIL_LINES); // a dialog is drawn at the bottom
        for (int i = lines.size() - 1; i >= bottom && esc < 0; i--) {
            if (lines.get(i).strip().startsWith("Esc to cancel")) {
                esc = i;
            }
        }
        int q = -1;
        for (int i = esc - 1; i >= 0 && q < 0; i--) {
            if (lines.get(i).strip().startsWith("Do you want to")) {
                q = i;
            }
        }
        if (esc < 0 || q < 0) {
            return legacy(lines);
        }
        List<String> options = new ArrayList<>();
        int cursor = -1;
        boolean numbered = true;
        for (int i = q + 1; i < esc; i++) {
            Matcher m = OPTION.matcher(lines.get(i));
            if (lines.get(i).isBlank() || !m.matches()) {
                continue;
            }
            if (m.group(1) != null) {
                cursor = options.size();
            }
            numbered &= m.group(2) != null;
            options.add(m.group(3));
        }
        String question = lines.get(q).strip();
        int top = -1;
        for (int i = q - 1; i >= 0 && top < 0; i--) {
            if (FULL_RULE.matcher(lines.get(i)).matches()) {
                top = i;
            }
        }
        if (options.isEmpty() || top < 0) {
            return new Parsed(unreadable("unknown", question, options, numbered), cursor);
        }
        int title = next(lines, top + 1, q);
        String tool = title < 0 ? null : TITLES.get(lines.get(title).strip());
        if (tool == null) {
            return new Parsed(unreadable("unknown", question, options, numbered), cursor);
        }
        List<Integer> dashed = new ArrayList<>();
        for (int i = title + 1; i < q; i++) {
            if (DASHED_RULE.matcher(lines.get(i)).matches()) {
                dashed.add(i);
            }
        }
        if ("Bash".equals(tool)) {
            if (dashed.size() < 2) {
                return new Parsed(unreadable(tool, question, options, numbered), cursor);
            }
            String description = join(lines, title + 1, dashed.get(0), " ");
            String command = block(lines, dashed.get(0) + 1, dashed.get(1));
            if (command.isBlank()) {
                return new Parsed(unreadable(tool, question, options, numbered), cursor);
            }
            return new Parsed(new ScreenMenu(tool, cap(command), description.isEmpty() ? null : cap(description),
                    question, options, numbered, true), cursor);
        }
        int end = dashed.isEmpty() ? q : dashed.get(0);
        int subject = next(lines, title + 1, end);
        if (subject < 0) {
            return new Parsed(unreadable(tool, question, options, numbered), cursor);
        }
        return new Parsed(new ScreenMenu(tool, cap(lines.get(subject).strip()), null, question, options, numbered,
                true), cursor);
    }

    /**
     * A menu without the 2.1.328 frame (an older Claude's boxed menu, a dialog cut off at the top): still a
     * person-needed menu when it shows "Do you want to proceed?" or the cursor on "1. Yes", but unreadable.
     */
    private static Parsed legacy(List<String> lines) {
        List<String> tail = lines.subList(Math.max(0, lines.size() - ScreenPatterns.TAIL_LINES), lines.size());
        if (ScreenPatterns.classify(dev.agentcommander.schema.Provider.CLAUDE, tail) != ScreenPatterns.Signal.WAITING
                || !ScreenPatterns.showsMenu(tail)) {
            return Parsed.NONE;
        }
        return new Parsed(unreadable("unknown", null, List.of(), true), -1);
    }

    private static ScreenMenu unreadable(String tool, String question, List<String> options, boolean numbered) {
        return new ScreenMenu(tool, null, null, question, options, numbered, false);
    }

    private static int next(List<String> lines, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!lines.get(i).isBlank()) {
                return i;
            }
        }
        return -1;
    }

    private static String join(List<String> lines, int from, int to, String sep) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            String l = lines.get(i).strip();
            if (!l.isEmpty()) {
                b.append(b.isEmpty() ? "" : sep).append(l);
            }
        }
        return b.toString();
    }

    /** The lines between two dashed rules, less the dialog's one-space indent; Claude's own wraps stay lines. */
    private static String block(List<String> lines, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            String l = lines.get(i).stripTrailing();
            b.append(b.isEmpty() ? "" : "\n").append(l.startsWith(" ") ? l.substring(1) : l);
        }
        return b.toString().strip();
    }

    private static String cap(String s) {
        return s.length() <= SUMMARY_MAX ? s : s.substring(0, SUMMARY_MAX - 1) + "…";
    }
}
