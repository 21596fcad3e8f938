package dev.agentcommander.agentd.panes;

import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.Ids;
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

    /** Gives {@code paneId} a new id and stores it on the pane, replacing any it had (a copy of another's). */
    public String assign(Tmux tmux, String paneId) {
        String id = newId();
        tmux.run("set-option", "-p", "-t", paneId, OPTION, id);
        return id;
    }

    /**
     * Gives a pane without an id one, unless another part named it first: the scanner and the spawner both see a
     * fresh pane, and {@code set-option -o} (set only if unset) is atomic in tmux, so the first id written is the
     * one both report. One already there that is not an id ({@link Ids#isOpaque}) is replaced.
     *
     * @return the pane's id, ours or the one already there
     * @throws TmuxException when the pane is gone
     */
    public String claim(Tmux tmux, String paneId) {
        String id = newId();
        try {
            tmux.run("set-option", "-p", "-o", "-t", paneId, OPTION, id);
            return id;
        } catch (TmuxException e) {
            String current = read(tmux, paneId);
            if (current.isEmpty()) {
                throw e;
            }
            return Ids.isOpaque(current) ? current : assign(tmux, paneId);
        }
    }

    /**
     * The pane's id, claiming one when it has none and replacing one that is not an id (any process can set the
     * option). @throws TmuxException when the pane is gone
     */
    public String ensure(Tmux tmux, String paneId) {
        String id = read(tmux, paneId);
        if (id.isEmpty()) {
            return claim(tmux, paneId);
        }
        return Ids.isOpaque(id) ? id : assign(tmux, paneId);
    }

    private static String read(Tmux tmux, String paneId) {
        return tmux.run("display-message", "-p", "-t", paneId, "#{" + OPTION + "}").strip();
    }
}
