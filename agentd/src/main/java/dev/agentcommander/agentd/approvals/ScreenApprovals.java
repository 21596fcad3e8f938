package dev.agentcommander.agentd.approvals;

import dev.agentcommander.agentd.panes.PromptWatcher;
import dev.agentcommander.agentd.panes.ScreenMenu;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns permission menus seen on screen into keys-mode approvals ({@code approvals.mode} keys or both): a menu
 * that appears (or is replaced by a different one) raises one approval, a menu that goes away withdraws it. Only
 * changes count, so a menu still on screen after its approval expired is left to the person at the pane rather
 * than raised again every timeout.
 */
public final class ScreenApprovals implements PromptWatcher {
    private final ApprovalBroker broker;
    /** The menu each pane showed at the last poll; the scanner serialises calls. */
    private final Map<String, ScreenMenu> shown = new HashMap<>();

    public ScreenApprovals(ApprovalBroker broker) {
        this.broker = broker;
    }

    @Override
    public void observe(String sessionId, String paneId, ScreenMenu menu) {
        if (paneId == null || broker.mode() == ApprovalMode.HOOK) {
            return;
        }
        ScreenMenu before = menu == null ? shown.remove(paneId) : shown.put(paneId, menu);
        if (before != null && !before.equals(menu)) {
            broker.screenPromptGone(paneId);
        }
        if (menu != null && !menu.equals(before)) {
            broker.requestFromScreen(sessionId, paneId, menu.toolName(), menu.summary());
        }
    }
}
