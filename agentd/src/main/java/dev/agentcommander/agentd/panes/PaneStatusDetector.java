package dev.agentcommander.agentd.panes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.tmux.Pane;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.SessionStatus;
import dev.agentcommander.schema.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hooks first, screen second (docs/status-detection.md). Hooks are exact but can go stale: Claude sends no Stop when a
 * person presses Esc, and a permission prompt answered in the pane only shows on screen. So a hook verdict
 * stands until the screen shows a different state that began after the hook (plus a grace for the screen to
 * catch up), with one exception: a still screen never clears a WAITING hook (a menu we fail to recognise
 * still needs a person; movement, a menu answer, another hook or ApprovalResolved does). A RUNNING hook also
 * yields to a screen still for {@link Config#runningHookMaxStill()} (Claude's busy line ticks every second).
 * Shell and other panes: RUNNING while a non-shell process holds the foreground, else IDLE; hooks ignored.
 * Only claude and codex panes are captured, at most once per {@link Config#minCaptureInterval()}.
 *
 * <p>State is kept for panes the scanner shows us ({@link #detect}) until it says they went away ({@link #forget}).
 * A hook may name a pane before its first scan (Claude started a moment ago), so a hook alone may make state, but
 * such unconfirmed state is bounded ({@link #MAX_UNCONFIRMED}, oldest dropped first): hook requests naming panes
 * that never appear cannot grow the map.
 */
public final class PaneStatusDetector implements StatusDetector {
    private static final System.Logger LOG = System.getLogger(PaneStatusDetector.class.getName());
    private static final Verdict EXITED = new Verdict(SessionStatus.EXITED, false);
    /** Panes known only from hooks, not yet from a scan: a few at a time is all a real start produces. */
    static final int MAX_UNCONFIRMED = 64;

    /**
     * @param stableFor           how long a screen must stay unchanged before it counts as IDLE
     * @param stablePolls         and over how many captures after its last change
     * @param minCaptureInterval  captures closer than this reuse the last one (keep it ≥ half the poll)
     * @param hookGrace           screen changes this soon after a hook are the agent redrawing, not news
     * @param runningHookMaxStill a RUNNING hook older than a screen still this long is stale
     */
    public record Config(Duration stableFor, int stablePolls, Duration minCaptureInterval, Duration hookGrace,
                         Duration runningHookMaxStill) {
        public static final Config DEFAULTS = new Config(Duration.ofMillis(1500), 2, Duration.ofMillis(500),
                Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    private record Hook(SessionStatus status, boolean attention, Instant at) {
    }

    /** What is remembered of one pane; guarded by its own monitor. */
    private static final class State {
        volatile boolean confirmed; // the scanner has shown us this pane
        Hook hook;
        boolean sessionEnded;
        boolean seen;
        int hash;
        Instant hashSince;
        int samePolls;
        Verdict screen = new Verdict(SessionStatus.IDLE, false);
        Instant screenSince = Instant.EPOCH;
        Instant lastCapture;
        ScreenMenu menu;
    }

    private final Tmux tmux;
    private final Clock clock;
    private final Config config;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private final LinkedHashSet<String> unconfirmed = new LinkedHashSet<>(); // guarded by itself, oldest first

    public PaneStatusDetector(Tmux tmux, Clock clock, Config config) {
        this.tmux = tmux;
        this.clock = clock;
        this.config = config;
    }

    @Override
    public Verdict detect(Pane pane, Provider provider) {
        if (pane.dead()) {
            return EXITED;
        }
        if (provider != Provider.CLAUDE && provider != Provider.CODEX) {
            return foreground(pane);
        }
        State st = states.computeIfAbsent(pane.paneId(), k -> new State());
        if (!st.confirmed) {
            st.confirmed = true;
            synchronized (unconfirmed) {
                unconfirmed.remove(pane.paneId());
            }
        }
        synchronized (st) {
            if (st.sessionEnded) {
                if (isShell(pane.currentCommand())) {
                    return EXITED;
                }
                st.sessionEnded = false; // the agent was started again in this pane
            }
            Instant now = clock.instant();
            screen(pane.paneId(), provider, st, now);
            return combine(st, now);
        }
    }

    private Verdict combine(State st, Instant now) {
        Hook hook = st.hook;
        if (hook == null) {
            return st.screen;
        }
        Verdict screen = st.screen;
        boolean hookVerdictHolds = screen.status() == hook.status()
                || !st.screenSince.isAfter(hook.at().plus(config.hookGrace()))
                || (hook.status() == SessionStatus.WAITING && screen.status() == SessionStatus.IDLE);
        Instant stillSince = st.hashSince == null || st.hashSince.isBefore(hook.at()) ? hook.at() : st.hashSince;
        boolean staleRunning = hook.status() == SessionStatus.RUNNING && screen.status() == SessionStatus.IDLE
                && !now.isBefore(stillSince.plus(config.runningHookMaxStill()));
        if (hookVerdictHolds && !staleRunning) {
            return new Verdict(hook.status(), hook.attention());
        }
        st.hook = null; // the pane moved on without a hook (answered locally, interrupted …)
        return screen;
    }

    /** Captures (at most once per minCaptureInterval) and updates the screen verdict. */
    private void screen(String paneId, Provider provider, State st, Instant now) {
        if (st.lastCapture != null && now.isBefore(st.lastCapture.plus(config.minCaptureInterval()))) {
            return;
        }
        String text;
        try {
            text = tmux.run("-u", "capture-pane", "-p", "-J", "-t", paneId);
        } catch (TmuxException e) {
            LOG.log(System.Logger.Level.DEBUG, "capture of {0} failed: {1}", paneId, e.getMessage());
            return; // a vanished pane: the scanner will tell us to forget it
        }
        st.lastCapture = now;
        int hash = text.hashCode();
        boolean changed = st.seen && hash != st.hash;
        if (!st.seen || changed) {
            st.hash = hash;
            st.hashSince = now;
            st.samePolls = 0;
        } else {
            st.samePolls++;
        }
        List<String> lines = ScreenPatterns.lines(text);
        List<String> tail = lines.subList(Math.max(0, lines.size() - ScreenPatterns.TAIL_LINES), lines.size());
        st.menu = provider == Provider.CLAUDE ? ScreenPatterns.claudeMenu(lines)
                : provider == Provider.CODEX ? CodexDialogs.parse(lines).menu() : null;
        Verdict v = switch (ScreenPatterns.classify(provider, tail)) {
            case WAITING -> new Verdict(SessionStatus.WAITING, true);
            case RUNNING -> new Verdict(SessionStatus.RUNNING, false);
            case NONE -> {
                if (changed) {
                    yield new Verdict(SessionStatus.RUNNING, false);
                }
                if (!st.seen || (st.samePolls >= config.stablePolls()
                        && !now.isBefore(st.hashSince.plus(config.stableFor())))) {
                    yield new Verdict(SessionStatus.IDLE, false);
                }
                yield st.screen; // unchanged, not yet stable long enough: no news
            }
        };
        if (!v.equals(st.screen) || !st.seen) {
            st.screen = v;
            st.screenSince = now;
        }
        st.seen = true;
    }

    private static Verdict foreground(Pane pane) {
        return new Verdict(isShell(pane.currentCommand()) ? SessionStatus.IDLE : SessionStatus.RUNNING, false);
    }

    static boolean isShell(String command) {
        if (command == null || command.isBlank()) {
            return true;
        }
        return ProviderDetector.isShell(command);
    }

    @Override
    public void hookEvent(String paneId, String eventName, JsonNode input) {
        if (paneId == null || !Ids.isPaneId(paneId) || eventName == null) {
            LOG.log(System.Logger.Level.DEBUG, "hook event for no pane ignored: {0}", paneId);
            return; // only real pane ids make state, so junk cannot grow the map
        }
        State st = stateForHook(paneId);
        Instant now = clock.instant();
        synchronized (st) {
            switch (eventName) {
                case "UserPromptSubmit", "PreToolUse", "PostToolUse", "PostToolUseFailure", "PreCompact",
                     "SubagentStart" -> st.hook = new Hook(SessionStatus.RUNNING, false, now);
                case "PermissionRequest" -> st.hook = new Hook(SessionStatus.WAITING, true, now);
                case "Notification" -> {
                    String type = input == null ? "" : input.path("notification_type").asText("");
                    switch (Notifications.meaning(type, input == null ? "" : input.path("message").asText(""))) {
                        case NEEDS_PERSON -> st.hook = new Hook(SessionStatus.WAITING, true, now);
                        case IDLE -> st.hook = new Hook(SessionStatus.IDLE, false, now);
                        case NOTHING -> { } // auth_success and the like say nothing about status
                    }
                }
                case "Stop", "SessionStart" -> st.hook = new Hook(SessionStatus.IDLE, false, now);
                case "SessionEnd" -> {
                    st.hook = null;
                    st.sessionEnded = true;
                }
                case "ApprovalResolved" -> {
                    String outcome = input == null ? "" : input.path("outcome").asText("");
                    // allowed: the tool runs now; otherwise (denied, expired, cancelled) the screen decides:
                    // Claude shows its own menu after an expiry, continues or stops after a denial
                    st.hook = "allowed".equals(outcome) ? new Hook(SessionStatus.RUNNING, false, now) : null;
                }
                default -> { } // SubagentStop and unknown events: the main agent's state is unchanged
            }
        }
    }

    /** The pane's state; new state for a pane no scan has shown yet is unconfirmed, the oldest such dropped. */
    private State stateForHook(String paneId) {
        State known = states.get(paneId);
        if (known != null) {
            return known;
        }
        State st = states.computeIfAbsent(paneId, k -> new State());
        synchronized (unconfirmed) {
            if (!st.confirmed && unconfirmed.add(paneId) && unconfirmed.size() > MAX_UNCONFIRMED) {
                String oldest = unconfirmed.iterator().next();
                unconfirmed.remove(oldest);
                states.computeIfPresent(oldest, (k, v) -> v.confirmed ? v : null);
            }
        }
        return st;
    }

    /** Panes with state (for tests: it must stay bounded whatever hooks name). */
    int trackedPanes() {
        return states.size();
    }

    @Override
    public Optional<ScreenMenu> screenMenu(String paneId) {
        State st = paneId == null ? null : states.get(paneId);
        if (st == null) {
            return Optional.empty();
        }
        synchronized (st) {
            return Optional.ofNullable(st.menu);
        }
    }

    @Override
    public void forget(String paneId) {
        states.remove(paneId);
        synchronized (unconfirmed) {
            unconfirmed.remove(paneId);
        }
    }
}
