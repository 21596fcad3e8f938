package dev.agentcommander.agentd.panes;

/**
 * A permission menu read off a pane's screen: what a person must know to decide without looking at the pane.
 * Screen text is all there is for sessions without our hooks, so this is a best effort: {@code toolName} is
 * {@code "unknown"} when the menu's header is not one we know, and {@code summary} then holds the menu text.
 */
public record ScreenMenu(String toolName, String summary) {
    /** The Claude permission menu on this screen text ({@code capture-pane -p -J}), or null when none shows. */
    public static ScreenMenu onScreen(String screen) {
        return ScreenPatterns.claudeMenu(ScreenPatterns.tail(screen));
    }
}
