package dev.agentcommander.agentd.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalOutcome;
import java.util.Collection;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Tells when a person answered a held hook request in the pane itself. Claude does not end a waiting
 * PermissionRequest hook then, so without this the dashboard would keep offering a decision that no longer
 * matters; the signals are other hook events of the same tool call or session, and the dialog leaving the screen.
 * Each answered request is released with an empty answer (never an approval) and withdrawn as
 * {@code answered_in_pane}.
 */
final class InPaneAnswers {
    /** Polls in a row without the dialog on screen before a hook approval counts as answered in the pane. */
    static final int MENU_GONE_POLLS = 2;

    private final ToolCalls toolCalls;
    private final Collection<Approval> waiting;
    private final Consumer<Approval> withdraw;

    /**
     * @param waiting  the broker's held approvals (a live view)
     * @param withdraw resolves an approval this class has answered, as {@code answered_in_pane}
     */
    InPaneAnswers(ToolCalls toolCalls, Collection<Approval> waiting, Consumer<Approval> withdraw) {
        this.toolCalls = toolCalls;
        this.waiting = waiting;
        this.withdraw = withdraw;
    }

    /**
     * Any other hook event of a pane (the hook receiver calls this for each). PreToolUse names the tool call
     * ({@code tool_use_id}) a PermissionRequest right after it is about. Claude does not end a waiting
     * PermissionRequest hook when the person answers the dialog in the pane, so the signals that they did end the
     * approval {@code answered_in_pane}: a PostToolUse, PostToolUseFailure or PermissionDenied for the same tool
     * call, or a UserPromptSubmit (a new prompt), Stop or SessionEnd of the same Claude session.
     */
    void hookEvent(String paneId, String event, JsonNode hook) {
        if (paneId == null || event == null || hook == null) {
            return;
        }
        Approval.ToolCall call = ToolCalls.of(hook);
        String claudeSession = call.claudeSession();
        String promptId = call.promptId();
        switch (event) {
            case "PreToolUse" -> toolCalls.announced(paneId, call);
            case "PostToolUse", "PostToolUseFailure", "PermissionDenied" -> {
                toolCalls.ended(paneId, call);
                answeredInPane(paneId, a -> a.call.sameCall(call));
            }
            case "UserPromptSubmit" -> answeredInPane(paneId, a -> sameSession(a, claudeSession)
                    && (promptId == null || a.call.promptId() == null || !promptId.equals(a.call.promptId())));
            case "Stop", "SessionEnd" -> answeredInPane(paneId, a -> sameSession(a, claudeSession));
            default -> { }
        }
    }

    /**
     * The pane scanner's view of a pane after each poll: whether Claude's dialog shows. A hook approval whose dialog
     * had shown and is gone for {@link #MENU_GONE_POLLS} polls was answered in the pane.
     */
    void paneDialog(String paneId, boolean showing) {
        if (paneId == null) {
            return;
        }
        answeredInPane(paneId, a -> a.menuGone(showing, MENU_GONE_POLLS));
    }

    private static boolean sameSession(Approval a, String claudeSession) {
        return claudeSession == null || a.call.claudeSession() == null || claudeSession.equals(a.call.claudeSession());
    }

    /** Releases the held hook of each open hook approval on the pane that {@code test} picks, and withdraws it. */
    private void answeredInPane(String paneId, Predicate<Approval> test) {
        for (Approval a : waiting) {
            if (a.kind == Approval.Kind.HOOK && paneId.equals(a.paneId) && a.open() && test.test(a)
                    && a.answer(ApprovalOutcome.CANCELLED, Approval.EMPTY,
                    AgentMessage.ApprovalResolved.ANSWERED_IN_PANE)) {
                withdraw.accept(a);
            }
        }
    }
}
