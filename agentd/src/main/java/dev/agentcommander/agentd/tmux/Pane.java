package dev.agentcommander.agentd.tmux;

import dev.agentcommander.schema.Ids;

/**
 * One pane as {@code list-panes -a} reports it. {@code acSessionId} is the pane option {@code @ac_session_id}
 * (empty when the pane was never given one).
 */
public record Pane(String paneId, String sessionName, String windowIndex, String windowName, int panePid,
                   String currentCommand, String cwd, String title, int width, int height, boolean dead,
                   String acSessionId) {

    /** The {@code -F} format that {@link #parse} reads; fields separated by a unit separator. */
    public static final String FORMAT = String.join("\u001f", "#{pane_id}", "#{session_name}", "#{window_index}",
            "#{window_name}", "#{pane_pid}", "#{pane_current_command}", "#{pane_current_path}", "#{pane_title}",
            "#{pane_width}", "#{pane_height}", "#{pane_dead}", "#{@ac_session_id}");

    /** Parses one line of {@code list-panes -F FORMAT}; null if the line is not one of ours. */
    public static Pane parse(String line) {
        String[] f = line.split("\u001f", -1);
        if (f.length < 12 || !Ids.isPaneId(f[0])) {
            return null;
        }
        return new Pane(f[0], f[1], f[2], f[3], toInt(f[4]), f[5], f[6], f[7], toInt(f[8]), toInt(f[9]),
                "1".equals(f[10]), f[11]);
    }

    private static int toInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
