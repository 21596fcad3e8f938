package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.panes.ScreenMenu;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Answers a permission dialog on screen with keys (keys mode), from the options the dialog really shows: the
 * option's number in a numbered menu, arrows and Enter in auto mode's unnumbered one (its cursor starts on
 * {@code No}). Keys go only into the dialog the approval was raised for, and only count once the dialog has left
 * the screen; an approver who could not see the command (an unreadable dialog) cannot allow through keys.
 */
final class MenuKeys {
    private static final System.Logger LOG = System.getLogger(MenuKeys.class.getName());
    private static final Duration POLL = Duration.ofMillis(100);

    /** How the keys answer ended: the outcome for {@code approval.resolved} and, when not decided, why. */
    record Result(ApprovalOutcome outcome, String reason) {
    }

    private final Tmux tmux;
    private final Consumer<AgentMessage> send;
    private final Duration confirmWithin;

    MenuKeys(Tmux tmux, Consumer<AgentMessage> send, Duration confirmWithin) {
        this.tmux = tmux;
        this.send = send;
        this.confirmWithin = confirmWithin;
    }

    Result answer(Approval a, ServerMessage.ApprovalDecision d, ApprovalOutcome outcome) {
        ScreenMenu raisedFor = a.menu;
        boolean allow = outcome == ApprovalOutcome.ALLOWED;
        String unsupported = null;
        if (allow && d.updatedInput() != null && d.updatedInput().isObject()) {
            unsupported = "edited input needs the hook"; // cannot be typed into a menu: left to the person
        } else if (allow && d.updatedPermissions() != null && !d.updatedPermissions().isEmpty()) {
            // the menu's lasting option ("don't ask again …") differs per menu and was never shown to the reviewer
            unsupported = "a lasting permission cannot be chosen with menu keys; allow once, or use the hook";
        } else if (allow && (raisedFor == null || !raisedFor.readable())) {
            unsupported = "the dialog could not be read, so the approver did not see what would run";
        } else if (allow && raisedFor.option("Yes") < 0) {
            unsupported = "the dialog has no plain Yes option";
        }
        if (unsupported != null) {
            event(a, "approval.keys_unsupported", unsupported);
            return new Result(ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.KEYS_UNSUPPORTED);
        }
        try {
            // the person may have answered at the pane and Claude moved on: press only into the same menu
            String screen = capture(a.paneId);
            ScreenMenu now = ScreenMenu.onScreen(screen);
            if (raisedFor == null || !raisedFor.equals(now)) {
                event(a, "approval.keys_stale", "the menu is no longer on screen");
                return new Result(ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.MENU_GONE);
            }
            List<String> keys = keys(now, allow ? now.option("Yes") : now.option("No"),
                    ScreenMenu.cursorOnScreen(screen));
            if (keys == null) {
                event(a, "approval.keys_unsupported", "cannot tell where the dialog's cursor is");
                return new Result(ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.KEYS_UNSUPPORTED);
            }
            if (!allow && d.message() != null && !d.message().isBlank()) {
                // denying is safe, so it goes ahead; the message has no way into a menu and the record says so
                event(a, "approval.keys_message_dropped", "a deny through menu keys cannot pass its message");
            }
            List<String> argv = new ArrayList<>(List.of("send-keys", "-t", a.paneId));
            argv.addAll(keys);
            tmux.run(argv.toArray(String[]::new));
            if (!left(a.paneId, raisedFor)) {
                event(a, "approval.keys_unconfirmed", "keys " + String.join(" ", keys)
                        + " were pressed but the dialog is still on screen");
                return new Result(ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.KEYS_UNCONFIRMED);
            }
            return new Result(outcome, null);
        } catch (TmuxException e) {
            LOG.log(System.Logger.Level.WARNING, "approval {0}: send-keys failed: {1}", a.id, e.getMessage());
            return new Result(ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.KEYS_UNCONFIRMED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(ApprovalOutcome.CANCELLED, AgentMessage.ApprovalResolved.SHUTDOWN);
        }
    }

    /**
     * What a keys approval shows the approver: the command (Bash) or file (Write/Edit) and the model's description
     * when the dialog was read, always the question and options; nothing guessed when it was not.
     */
    static ObjectNode toolInput(ScreenMenu menu) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        if (menu.readable()) {
            input.put("Bash".equals(menu.toolName()) ? "command" : "file_path", menu.summary());
            if (menu.description() != null) {
                input.put("description", menu.description());
            }
            input.put("summary", menu.summary());
        }
        if (menu.question() != null) {
            input.put("question", menu.question());
        }
        menu.options().forEach(input.putArray("options")::add);
        return input;
    }

    /**
     * The keys that choose option {@code target}: its number in a numbered menu; in an unnumbered one arrows from
     * the cursor, then Enter. No such option (a deny) is Escape, which rejects like No. Null: the cursor is unknown.
     */
    static List<String> keys(ScreenMenu menu, int target, int cursor) {
        if (target < 0) {
            return List.of("Escape");
        }
        if (menu.numbered()) {
            return List.of(Integer.toString(target + 1));
        }
        if (cursor < 0) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        for (int i = cursor; i != target; i += target > cursor ? 1 : -1) {
            keys.add(target > cursor ? "Down" : "Up");
        }
        keys.add("Enter");
        return keys;
    }

    /** Whether the dialog left the screen (or another took its place) within {@code confirmWithin}. */
    private boolean left(String paneId, ScreenMenu pressed) throws InterruptedException {
        long until = System.nanoTime() + confirmWithin.toNanos();
        do {
            if (!pressed.equals(ScreenMenu.onScreen(capture(paneId)))) {
                return true;
            }
            Thread.sleep(POLL);
        } while (System.nanoTime() < until);
        return false;
    }

    private String capture(String paneId) {
        return tmux.run("-u", "capture-pane", "-p", "-J", "-t", paneId);
    }

    private void event(Approval a, String type, String reason) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("approval_id", a.id).put("reason", reason);
        send.accept(new AgentMessage.EventsAppend(a.sessionId, type, data));
    }
}
