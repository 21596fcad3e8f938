package dev.agentcommander.agentd.panes;

import dev.agentcommander.agentd.tmux.Tmux;
import java.security.SecureRandom;

/**
 * Session ids live in the pane option {@code @ac_session_id}, so a pane keeps its id across agentd restarts and
 * the control plane's history stays attached to it.
 */
public final class SessionIds {
    public static final String OPTION = "@ac_session_id";
    public static final String NAME_OPTION = "@ac_name";
    public static final String MANAGED_OPTION = "@ac_managed";
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final SecureRandom random = new SecureRandom();

    public String newId() {
        StringBuilder sb = new StringBuilder("s_");
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Gives {@code paneId} a new id and stores it on the pane. */
    public String assign(Tmux tmux, String paneId) {
        String id = newId();
        tmux.run("set-option", "-p", "-t", paneId, OPTION, id);
        return id;
    }

    /** The pane's id, assigning one when it has none. @throws dev.agentcommander.agentd.tmux.TmuxException */
    public String ensure(Tmux tmux, String paneId) {
        String id = tmux.run("display-message", "-p", "-t", paneId, "#{" + OPTION + "}").strip();
        return id.isEmpty() ? assign(tmux, paneId) : id;
    }
}
