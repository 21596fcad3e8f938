package dev.agentcommander.controlplane.notify;

import java.util.Locale;

/** Where a notification goes; one {@code notifications} row per notification and configured channel. */
public enum Channel {
    WEBHOOK, NTFY, SLACK;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Channel fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
