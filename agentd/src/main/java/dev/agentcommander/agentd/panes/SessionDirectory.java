package dev.agentcommander.agentd.panes;

import dev.agentcommander.schema.Session;
import java.util.Optional;

/** What the pane scanner knows right now: live sessions by id and by tmux pane. */
public interface SessionDirectory {
    Optional<Session> bySessionId(String sessionId);

    Optional<Session> byPaneId(String paneId);

    /** Asks the scanner to rescan soon (a hook or a command changed something). */
    void poke();
}
