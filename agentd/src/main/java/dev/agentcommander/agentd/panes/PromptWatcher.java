package dev.agentcommander.agentd.panes;

/**
 * Told by the scanner, on every poll, whether each pane shows a permission menu, so approvals can be raised for
 * sessions whose hooks are not installed ({@code approvals.mode} keys or both). It is an interface so the
 * scanner does not depend on the approval broker, which itself depends on the status detector the scanner uses.
 */
public interface PromptWatcher {
    /** A watcher that ignores every menu (tests, and setups without approvals). */
    PromptWatcher NONE = (sessionId, paneId, menu, cwd) -> { };

    /**
     * Called after the poll's {@code sessions.upsert} went out. {@code menu} is null when the pane shows no menu,
     * is not a Claude pane, or has gone; {@code cwd} is the pane's working directory (null when unknown). Calls are
     * serialised by the scanner.
     */
    void observe(String sessionId, String paneId, ScreenMenu menu, String cwd);
}
