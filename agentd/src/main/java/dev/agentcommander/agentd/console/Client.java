package dev.agentcommander.agentd.console;

import dev.agentcommander.agentd.tmux.ControlClient;
import dev.agentcommander.agentd.tmux.Tmux;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One tmux control client of {@link ControlModeConsole} and what it serves: the streams of its tmux session, and
 * the panes whose output it has carried (so in its session: a subscribe to one of them needs no tmux process to
 * find the session; a pane moved to another session later stays mapped here until the client ends). Guarded by
 * the console's lock, except the events, which come on the client's reader thread.
 */
final class Client implements ControlClient.Listener {
    private static final int MAX_CARRIED = 4096;

    /** Output of one pane, handed to the console (the array is reused after the call). */
    interface Output {
        void accept(Client c, String paneId, byte[] data, int len);
    }

    final String tmuxSession;
    final ControlClient control;
    private final Output output;
    private final BiConsumer<Client, String> paused;
    private final Consumer<Client> exited;
    private final Set<String> carried = new HashSet<>();
    int streams;

    Client(Tmux tmux, String tmuxSession, int pauseAfterSeconds, Output output, BiConsumer<Client, String> paused,
           Consumer<Client> exited) {
        this.tmuxSession = tmuxSession;
        this.output = output;
        this.paused = paused;
        this.exited = exited;
        this.control = new ControlClient(tmux, tmuxSession, this, pauseAfterSeconds);
    }

    /** Remembers that output of {@code paneId} came through this client (bounded). */
    void carried(String paneId) {
        if (carried.size() < MAX_CARRIED) {
            carried.add(paneId);
        }
    }

    boolean carries(String paneId) {
        return carried.contains(paneId);
    }

    @Override
    public void onOutput(String paneId, byte[] data, int len) {
        output.accept(this, paneId, data, len);
    }

    @Override
    public void onPause(String paneId) {
        paused.accept(this, paneId);
    }

    @Override
    public void onExit(ControlClient c) {
        exited.accept(this);
    }
}
