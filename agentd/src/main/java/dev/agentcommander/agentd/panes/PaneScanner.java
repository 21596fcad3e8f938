package dev.agentcommander.agentd.panes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.outbox.StateFiles;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.agentd.tmux.PaneLister;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionKind;
import dev.agentcommander.schema.SessionStatus;
import dev.agentcommander.schema.loop.NamedLoop;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Polls tmux and keeps the control plane's view of this host's panes current: every pane is a session (its id
 * in {@code @ac_session_id}); a change is sent as {@code sessions.upsert}, a vanished pane as
 * {@code sessions.removed}. What was announced is kept in the state dir so panes killed while agentd was down
 * are reported removed after a restart, and unchanged panes are not announced again.
 */
public final class PaneScanner implements SessionDirectory, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PaneScanner.class.getName());

    private final Tmux tmux;
    private final PaneLister lister;
    private final Outbound out;
    private final StatusDetector status;
    private final PromptWatcher prompts;
    private final ProviderDetector providers;
    private final GitInfo git;
    private final SessionIds ids;
    private final Path announcedFile;
    private final Clock clock;
    private final Duration interval;
    private final Semaphore poke = new Semaphore(0);
    private final Object scanLock = new Object();
    private volatile Map<String, Session> byId = Map.of();
    private volatile Map<String, Session> byPane = Map.of();
    private Map<String, Session> announced;
    private NamedLoop loop;
    private String lastScanFailure; // the scanner loop's own
    private volatile Instant lastRound; // the loop's last completed round, failed or not (the watchdog reads it)

    /** @param prompts told of permission menus on screen after each poll ({@link PromptWatcher#NONE}: ignored) */
    public PaneScanner(Tmux tmux, Outbound out, StatusDetector status, PromptWatcher prompts,
                       ProviderDetector providers, GitInfo git, SessionIds ids, Path stateDir, Clock clock,
                       Duration interval) {
        this.tmux = tmux;
        this.out = out;
        this.status = status;
        this.prompts = prompts;
        this.providers = providers;
        this.git = git;
        this.ids = ids;
        this.announcedFile = stateDir.resolve("sessions.json");
        this.clock = clock;
        this.interval = interval;
        this.lister = new PaneLister(tmux, clock); // one control-mode client, not a tmux process per poll
        this.announced = loadAnnounced();
    }

    /** Polls every interval, or sooner when poked, on the loop {@code agentd-scanner}. */
    public void start() {
        loop = NamedLoop.start("agentd-scanner", () -> {
            try {
                scanOnce();
                lastScanFailure = null;
            } catch (RuntimeException e) {
                String m = String.valueOf(e.getMessage());
                // the same failure every poll (a wrong tmux.bin, say) says nothing new: log it when it changes
                LOG.log(m.equals(lastScanFailure) ? Level.DEBUG : Level.WARNING, "pane scan failed: " + m, e);
                lastScanFailure = m;
            }
            lastRound = clock.instant();
            if (poke.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                poke.drainPermits();
            }
        });
    }

    /** When the scanner loop last completed a round (a failed scan counts: the loop is moving); empty before. */
    public Optional<Instant> lastRound() {
        return Optional.ofNullable(lastRound);
    }

    /** How many sessions (panes) the last scan found. */
    public int sessionCount() {
        return byId.size();
    }

    /** One poll: list panes, diff, send what changed. Safe to call from tests and commands. */
    public void scanOnce() {
        synchronized (scanLock) {
            List<Pane> listed = lister.listPanes();
            Instant now = clock.instant();
            Map<String, Session> current = new LinkedHashMap<>();
            Map<String, Session> panes = new HashMap<>();
            Set<String> seenIds = new HashSet<>();
            for (Pane p : keepersFirst(listed)) {
                String id = p.acSessionId();
                try {
                    if (!id.isEmpty() && !Ids.isOpaque(id)) {
                        // any process can `tmux set -p` it: a junk or oversized id never reaches the wire
                        LOG.log(Level.WARNING, "pane " + p.paneId() + " had a malformed " + SessionIds.OPTION
                                + " (" + id.length() + " chars): giving it a new session id");
                        id = ids.assign(tmux, p.paneId());
                    } else if (id.isEmpty()) {
                        id = ids.claim(tmux, p.paneId()); // a new pane (the spawner may be naming it right now)
                    }
                    if (!seenIds.add(id)) {
                        id = ids.assign(tmux, p.paneId()); // a copy of another pane's id
                        seenIds.add(id);
                    }
                } catch (TmuxException e) {
                    continue; // the pane went away between list and set
                }
                Session s = session(id, p, now);
                current.put(id, s);
                panes.put(p.paneId(), s);
            }
            byId = Map.copyOf(current);
            byPane = Map.copyOf(panes);
            boolean changed = false;
            for (Session s : current.values()) {
                Session before = announced.get(s.sessionId());
                if (before == null || !withoutActivity(before).equals(withoutActivity(s))) {
                    out.send(new AgentMessage.SessionsUpsert(s));
                    changed = true;
                    if (before != null && (before.status() != s.status()
                            || before.needsAttention() != s.needsAttention())) {
                        out.send(statusChanged(before, s));
                    }
                }
            }
            for (Session gone : announced.values()) {
                if (!current.containsKey(gone.sessionId())) {
                    out.send(new AgentMessage.SessionsRemoved(gone.sessionId()));
                    if (gone.tmux() != null) {
                        observe(gone.sessionId(), gone.tmux().paneId(), null, null);
                        status.forget(gone.tmux().paneId());
                    }
                    changed = true;
                }
            }
            if (changed || current.size() != announced.size()) {
                announced = current;
                saveAnnounced();
            }
            for (Session s : current.values()) { // after the upserts: an approval names a known session
                boolean menu = (s.provider() == Provider.CLAUDE || s.provider() == Provider.CODEX)
                        && s.status() == SessionStatus.WAITING;
                observe(s.sessionId(), s.tmux().paneId(),
                        menu ? status.screenMenu(s.tmux().paneId()).orElse(null) : null, s.cwd());
            }
        }
    }

    /** A failing watcher (outbox refusing, say) must not stop the scan that keeps sessions current. */
    private void observe(String sessionId, String paneId, ScreenMenu menu, String cwd) {
        try {
            prompts.observe(sessionId, paneId, menu, cwd);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "prompt watcher failed for " + sessionId + ": " + e.getMessage(), e);
        }
    }

    /**
     * The listing with, for every session id two panes claim, the pane that held it last scan first: a copied id
     * (or one another pane set on itself) goes to the newcomer as a fresh id and the session stays where it was.
     */
    private List<Pane> keepersFirst(List<Pane> listed) {
        List<Pane> keepers = new ArrayList<>();
        List<Pane> rest = new ArrayList<>();
        for (Pane p : listed) {
            Session before = announced.get(p.acSessionId());
            boolean held = before != null && before.tmux() != null && before.tmux().paneId().equals(p.paneId());
            (held ? keepers : rest).add(p);
        }
        keepers.addAll(rest);
        return keepers;
    }

    private Session session(String id, Pane p, Instant now) {
        Session before = announced.get(id);
        Provider provider = providers.detect(p.currentCommand(), p.panePid());
        StatusDetector.Verdict v = p.dead() ? new StatusDetector.Verdict(SessionStatus.EXITED, false)
                : status.detect(p, provider);
        String name = p.acName().isEmpty() ? p.sessionName() + ":" + p.windowName() : p.acName();
        Instant started = before != null && before.startedAt() != null ? before.startedAt() : now;
        Instant last = p.windowActivity() > 0 ? Instant.ofEpochSecond(p.windowActivity()) : now;
        return new Session(id, null, SessionKind.PANE, provider, v.status(), v.needsAttention(), name,
                new Session.Tmux(p.sessionName(), p.windowIndex(), p.paneId()), p.cwd(), git.lookup(p.cwd()),
                p.title(), started, last).withManaged("1".equals(p.acManaged()))
                .fitted(); // a pane's own title or branch can never get the upsert refused
    }

    /** {@code events.append status.changed}: the session's history keeps every status change, in seq order. */
    private static AgentMessage statusChanged(Session before, Session now) {
        ObjectNode data = Json.mapper().createObjectNode().put("from", before.status().name())
                .put("to", now.status().name()).put("needs_attention", now.needsAttention());
        return new AgentMessage.EventsAppend(now.sessionId(), "status.changed", data);
    }

    private static Session withoutActivity(Session s) {
        return new Session(s.sessionId(), s.hostId(), s.kind(), s.provider(), s.status(), s.needsAttention(),
                s.name(), s.tmux(), s.cwd(), s.git(), s.title(), s.startedAt(), null).withManaged(s.managed());
    }

    private Map<String, Session> loadAnnounced() {
        if (!Files.exists(announcedFile)) {
            return new LinkedHashMap<>();
        }
        try {
            List<Session> list = Json.mapper().readValue(announcedFile.toFile(), new TypeReference<>() { });
            Map<String, Session> m = new LinkedHashMap<>();
            list.forEach(s -> m.put(s.sessionId(), s));
            return m;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "ignoring unreadable " + announcedFile + ": " + e.getMessage());
            return new LinkedHashMap<>();
        }
    }

    private void saveAnnounced() {
        try {
            StateFiles.writeAtomically(announcedFile,
                    Json.mapper().writeValueAsString(List.copyOf(announced.values())));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot save " + announcedFile + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<Session> bySessionId(String sessionId) {
        return Optional.ofNullable(byId.get(sessionId));
    }

    @Override
    public Optional<Session> byPaneId(String paneId) {
        return Optional.ofNullable(byPane.get(paneId));
    }

    @Override
    public void poke() {
        poke.release();
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        lister.close();
    }
}
