package dev.agentcommander.agentd.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.console.Console;
import dev.agentcommander.agentd.console.ConsoleException;
import dev.agentcommander.agentd.jobs.JobRunner;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.panes.SessionDirectory;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ProtocolException;
import dev.agentcommander.schema.ServerMessage;
import dev.agentcommander.schema.loop.NamedLoop;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs server commands against tmux, each {@code command_id} at most once even across restarts (the server
 * resends until it sees a result), and always answers with {@code commands.result} through the outbox. Commands
 * run one at a time in arrival order on one thread, so "type this, then press Enter" stays in order.
 */
public final class CommandExecutor implements Consumer<ServerMessage.Command>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CommandExecutor.class.getName());
    static final int REMEMBERED = 10_000;
    /** On close, how long a command in flight (typing into a pane, adding a worktree) may take to finish. */
    private static final long CLOSE_GRACE_SECONDS = 3;

    private final Tmux tmux;
    private final Outbound out;
    private final SessionDirectory sessions;
    private final Console console;
    private final SessionIds ids;
    private final Spawner spawner;
    private final JobRunner jobs;
    private final CommandLog log;
    private final BlockingQueue<ServerMessage.Command> queue = new ArrayBlockingQueue<>(1000);
    /** Held while a command runs, so close can let it finish before the loop is interrupted. */
    private final ReentrantLock busy = new ReentrantLock();
    private volatile boolean stopping;
    private NamedLoop loop;

    public CommandExecutor(Tmux tmux, Outbound out, SessionDirectory sessions, Console console, SessionIds ids,
                           Spawner spawner, JobRunner jobs, Path stateDir) {
        this.tmux = tmux;
        this.out = out;
        this.sessions = sessions;
        this.console = console;
        this.ids = ids;
        this.spawner = spawner;
        this.jobs = jobs;
        this.log = new CommandLog(stateDir.resolve("commands.log"), REMEMBERED);
    }

    /** Runs queued commands one at a time, in arrival order, on the loop {@code agentd-commands}. */
    public void start() {
        loop = NamedLoop.start("agentd-commands", () -> {
            // a command wakes the poll at once and close() interrupts it: the bound only limits idle wake-ups
            ServerMessage.Command c = queue.poll(5, TimeUnit.SECONDS);
            if (c == null) {
                return;
            }
            busy.lock();
            try {
                if (!stopping) { // else left to the server, which resends it to the next agentd
                    execute(c);
                }
            } finally {
                busy.unlock();
            }
        }, (name, e) -> LOG.log(Level.WARNING, "command failed unexpectedly", e));
    }

    /** Queues a command from the link; when the queue is full it is dropped (the server resends it). */
    @Override
    public void accept(ServerMessage.Command c) {
        if (!queue.offer(c)) {
            LOG.log(Level.WARNING, "command queue full; dropping " + c.commandId() + " (the server will resend it)");
        }
    }

    /** Executes (or answers again for) one command and sends its result; returns the result. */
    public AgentMessage.CommandsResult execute(ServerMessage.Command c) {
        if (c.name().equals("console.subscribe") || c.name().equals("console.unsubscribe")) {
            // idempotent by nature (a resent subscribe is a no-op): no at-most-once log, whose two fsyncs per
            // command made a hundred subscribes take seconds on a busy disk
            return runAndSend(c);
        }
        var known = log.get(c.commandId());
        if (known.isPresent()) {
            JsonNode r = known.get();
            AgentMessage.CommandsResult again = r.isTextual()
                    ? new AgentMessage.CommandsResult(c.commandId(), false,
                    "interrupted by an agentd restart; not run again", null)
                    : Json.mapper().convertValue(r, AgentMessage.CommandsResult.class);
            if (r.isTextual()) {
                log.finished(again);
            }
            out.send(again);
            return again;
        }
        log.started(c.commandId());
        AgentMessage.CommandsResult result = attempt(c);
        log.finished(result);
        out.send(result);
        return result;
    }

    private AgentMessage.CommandsResult runAndSend(ServerMessage.Command c) {
        AgentMessage.CommandsResult result = attempt(c);
        out.send(result);
        return result;
    }

    private AgentMessage.CommandsResult attempt(ServerMessage.Command c) {
        AgentMessage.CommandsResult result;
        try {
            CommandSpec spec = CommandSpec.parse(c.name(), c.args());
            result = new AgentMessage.CommandsResult(c.commandId(), true, null, run(c.commandId(), spec));
        } catch (ProtocolException | CommandRefused | TmuxException | ConsoleException
                 | JobRunner.Refused e) { // the requester's to fix
            result = new AgentMessage.CommandsResult(c.commandId(), false, e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "command " + c.commandId() + " (" + c.name() + ") failed", e);
            result = new AgentMessage.CommandsResult(c.commandId(), false, "internal error: " + e, null);
        }
        return result;
    }

    private JsonNode run(String commandId, CommandSpec spec) {
        return switch (spec) {
            case CommandSpec.SendInput s -> {
                String pane = pane(s.sessionId());
                String buffer = "ac-" + commandId.replaceAll("[^A-Za-z0-9_-]", "_");
                String text = s.text().replace("\r\n", "\n");
                // one tmux call (";" as its own argument separates tmux commands): a keystroke costs one spawn
                List<String> args = new ArrayList<>(List.of("load-buffer", "-b", buffer, "-", ";",
                        "paste-buffer", "-p", "-d", "-b", buffer, "-t", pane));
                if (s.submit()) {
                    args.addAll(List.of(";", "send-keys", "-t", pane, "Enter"));
                }
                tmux.runWithInput(text.getBytes(StandardCharsets.UTF_8), args.toArray(String[]::new));
                yield null;
            }
            case CommandSpec.SendKeys k -> {
                List<String> args = new ArrayList<>(List.of("send-keys", "-t", pane(k.sessionId())));
                args.addAll(k.keys());
                tmux.run(args.toArray(String[]::new));
                yield null;
            }
            case CommandSpec.Interrupt i -> {
                tmux.run("send-keys", "-t", pane(i.sessionId()), "C-c");
                yield null;
            }
            case CommandSpec.KillSession k -> {
                tmux.run("kill-pane", "-t", pane(k.sessionId()));
                sessions.poke();
                yield null;
            }
            case CommandSpec.RenameSession r -> {
                tmux.run("set-option", "-p", "-t", pane(r.sessionId()), SessionIds.NAME_OPTION, r.newName());
                sessions.poke();
                yield null;
            }
            case CommandSpec.AdoptPane a -> {
                String found = tmux.run("display-message", "-p", "-t", a.paneId(), "#{pane_id}").strip();
                if (!found.equals(a.paneId())) {
                    throw new CommandRefused("unknown pane " + a.paneId());
                }
                String id = ids.ensure(tmux, a.paneId());
                tmux.run("set-option", "-p", "-t", a.paneId(), SessionIds.MANAGED_OPTION, "1");
                sessions.poke();
                yield Json.mapper().createObjectNode().put("session_id", id).put("pane_id", a.paneId());
            }
            case CommandSpec.SpawnSession s -> {
                Spawner.Spawned sp = spawner.spawn(s);
                sessions.poke();
                ObjectNode d = Json.mapper().createObjectNode().put("session_id", sp.sessionId())
                        .put("pane_id", sp.paneId()).put("worktree", sp.worktree().toString());
                yield d;
            }
            case CommandSpec.ConsoleSubscribe cs -> {
                pane(cs.sessionId());
                console.subscribe(cs.sessionId(), cs.subscriptionId());
                yield null;
            }
            case CommandSpec.ConsoleUnsubscribe cu -> {
                console.unsubscribe(cu.sessionId(), cu.subscriptionId());
                yield null;
            }
            case CommandSpec.SpawnJob j -> jobs.spawn(commandId, j);
            case CommandSpec.CancelJob j -> jobs.cancel(j.sessionId());
        };
    }

    /**
     * The pane of a session: the scanner's view first, then tmux itself (the scanner may not have run yet), read
     * through the listing no pane can forge and only when exactly one pane carries the id.
     */
    private String pane(String sessionId) {
        var s = sessions.bySessionId(sessionId);
        if (s.isPresent() && s.get().tmux() != null) {
            return s.get().tmux().paneId();
        }
        List<String> carrying = tmux.listPanes().stream().filter(p -> p.acSessionId().equals(sessionId))
                .map(Pane::paneId).toList();
        if (carrying.size() != 1) {
            throw new CommandRefused("unknown session " + sessionId);
        }
        return carrying.get(0);
    }

    /** Lets a command in flight finish (up to a grace period), stops the loop, then closes the command log. */
    @Override
    public void close() {
        stopping = true;
        try {
            if (busy.tryLock(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
                busy.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loop != null) {
            loop.close();
        }
        log.close();
    }
}
