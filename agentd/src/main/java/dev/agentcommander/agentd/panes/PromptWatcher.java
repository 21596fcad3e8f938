package dev.agentcommander.agentd.panes;

/**
 * Told by the scanner, on every poll, whether each pane shows a permission menu, so approvals can be raised for
 * sessions whose hooks are not installed ({@code approvals.mode} keys or both). It is an interface so the
 * scanner does not depend on the approval broker, which itself depends on the status detector the scanner uses.
 */
public interface PromptWatcher {
    /** The watcher for {@code approvals.mode: hook}: screen menus are left to the person at the pane. */
    PromptWatcher NONE = (sessionId, paneId, menu) -> { };

    /**
     * Called after the poll's {@code sessions.upsert} went out. {@code menu} is null when the pane shows no menu,
     * is not a Claude pane, or has gone. Calls are serialised by the scanner.
     */
    void observe(String sessionId, String paneId, ScreenMenu menu);
}
