package dev.agentcommander.agentd.approvals;

import dev.agentcommander.agentd.panes.PromptWatcher;
import dev.agentcommander.agentd.panes.ScreenMenu;
import java.util.HashMap;
import java.util.Map;

/**
 * What the pane scanner sees of permission dialogs, for the broker. In every mode it tells the broker whether a
 * pane with a waiting hook approval still shows its dialog: Claude does not end the hook when the person answers
 * in the pane, so the dialog leaving the screen is one of the signs that they did. In keys or both mode, a menu
 * that appears (or is replaced by a different one) also raises one keys approval, and a menu that goes away
 * withdraws it. Only changes count, so a menu still on screen after its approval expired is left to the person
 * at the pane rather than raised again every timeout.
 */
public final class ScreenApprovals implements PromptWatcher {
    private final ApprovalBroker broker;
    /** The menu each pane showed at the last poll; the scanner serialises calls. */
    private final Map<String, ScreenMenu> shown = new HashMap<>();

    public ScreenApprovals(ApprovalBroker broker) {
        this.broker = broker;
    }

    @Override
    public void observe(String sessionId, String paneId, ScreenMenu menu, String cwd) {
        if (paneId == null) {
            return;
        }
        broker.paneDialog(paneId, menu != null);
        if (broker.mode() == ApprovalMode.HOOK) {
            return;
        }
        ScreenMenu before = menu == null ? shown.remove(paneId) : shown.put(paneId, menu);
        if (before != null && !before.equals(menu)) {
            broker.screenPromptGone(paneId);
        }
        if (menu != null && !menu.equals(before)) {
            broker.requestFromScreen(sessionId, paneId, menu, cwd);
        }
    }
}
