package dev.agentcommander.agentd;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A Console that records subscribe/unsubscribe calls. */
final class NoConsole implements Console {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void subscribe(String sessionId, String subscriptionId) {
        calls.add("+" + sessionId + "/" + subscriptionId);
    }

    @Override
    public void unsubscribe(String sessionId, String subscriptionId) {
        calls.add("-" + sessionId + "/" + subscriptionId);
    }

    @Override
    public int subscriberCount(String sessionId) {
        return 0;
    }

    @Override
    public void close() {
    }
}
