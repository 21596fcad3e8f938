package dev.agentcommander.agentd.testkit;

import dev.agentcommander.agentd.console.Console;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A console that streams nothing and records subscribe ({@code +session/sub}) and unsubscribe ({@code -…}). */
public final class RecordingConsole implements Console {
    private final List<String> calls = new CopyOnWriteArrayList<>();

    public List<String> calls() {
        return calls;
    }

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
