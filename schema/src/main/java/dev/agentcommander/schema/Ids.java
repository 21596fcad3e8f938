package dev.agentcommander.schema;

import java.util.regex.Pattern;

/**
 * The shapes of every id that crosses a process boundary, in one place: tmux pane ids ({@code %12}), and the
 * opaque ids of sessions, approvals, commands, hosts and subscriptions. Checked where ids enter (wire, REST, hook
 * requests, tmux output), so a junk id is refused at the door instead of reaching Postgres or a map.
 */
public final class Ids {
    /** Longest opaque id accepted anywhere. */
    public static final int MAX_LENGTH = 128;

    /** A tmux pane id as tmux prints it: {@code %} and a number. */
    public static final Pattern PANE = Pattern.compile("%[0-9]{1,9}");

    /** An opaque id: letters, digits and {@code _ . : -}, 1 to {@link #MAX_LENGTH} characters. */
    public static final Pattern OPAQUE = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_LENGTH + "}");

    private Ids() {
    }

    public static boolean isPaneId(String s) {
        return s != null && PANE.matcher(s).matches();
    }

    public static boolean isOpaque(String s) {
        return s != null && OPAQUE.matcher(s).matches();
    }
}
