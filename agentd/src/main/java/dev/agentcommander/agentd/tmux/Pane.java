package dev.agentcommander.agentd.tmux;

import dev.agentcommander.schema.Ids;

/**
 * One pane as {@code list-panes -a} reports it ({@link Tmux#listPanes}). {@code acSessionId} and {@code acName} are
 * the pane options {@code @ac_session_id} and {@code @ac_name} (empty when unset): any process in any pane can set
 * them, so they are what the pane says, not yet checked. {@code windowActivity}: the window's last activity, in
 * epoch seconds (0 when unknown). {@code acManaged}: the pane option {@code @ac_managed} ({@code "1"} when agentd
 * spawned or adopted the pane; also only what the pane says).
 */
public record Pane(String paneId, String sessionName, String windowIndex, String windowName, int panePid,
                   String currentCommand, String cwd, String title, int width, int height, boolean dead,
                   String acSessionId, String acName, long windowActivity, String acManaged) {
}
