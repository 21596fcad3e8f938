package dev.agentcommander.agentd.console;

/**
 * Live console streaming for subscribers (each a dashboard viewer, named by the control plane's subscription
 * id). Capture for a pane runs only while it has at least one subscriber.
 */
public interface Console extends AutoCloseable {
    /** Sends a snapshot of the pane, then live chunks, through the outbox. */
    void subscribe(String sessionId, String subscriptionId);

    void unsubscribe(String sessionId, String subscriptionId);

    /** Subscriptions currently open (for tests and doctor). */
    int subscriberCount(String sessionId);

    @Override
    void close();
}
