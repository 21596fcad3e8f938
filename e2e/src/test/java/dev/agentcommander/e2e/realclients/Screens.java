package dev.agentcommander.e2e.realclients;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the part of a Claude Code screen that a golden file pins: a dialog is the lines from the full-width rule
 * ({@code ─}) above its title down to its "Esc to cancel" line; lines are right-trimmed. The rest of the screen
 * (banner, spinner words, clock times) varies from run to run and is not compared.
 */
final class Screens {
    private Screens() {
    }

    /** The last dialog on the screen, or null if there is none. */
    static String dialog(String screen) {
        List<String> lines = screen.lines().map(Screens::rtrim).toList();
        int end = -1;
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains("Esc to cancel")) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return null;
        }
        int start = end;
        while (start > 0 && !isRule(lines.get(start))) {
            start--;
        }
        List<String> block = new ArrayList<>(lines.subList(start, end + 1));
        return String.join("\n", block) + "\n";
    }

    private static boolean isRule(String line) {
        String t = line.strip();
        return t.length() >= 20 && t.chars().allMatch(c -> c == '─');
    }

    private static String rtrim(String s) {
        int n = s.length();
        while (n > 0 && Character.isWhitespace(s.charAt(n - 1))) {
            n--;
        }
        return s.substring(0, n);
    }
}
