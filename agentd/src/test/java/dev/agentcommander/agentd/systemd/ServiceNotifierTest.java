package dev.agentcommander.agentd.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.agentd.testkit.MutableClock;
import dev.agentcommander.agentd.testkit.NotifyReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What agentd tells systemd, decided against a clock the test moves; the socket is a real datagram socket. */
class ServiceNotifierTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T03:00:00Z"));
    private final List<String> sent = new ArrayList<>();

    private ServiceNotifier notifier(Duration pingEvery) {
        return new ServiceNotifier(s -> {
            synchronized (sent) {
                sent.add(s);
            }
        }, pingEvery, clock);
    }

    private List<String> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    private long pings() {
        return sent().stream().filter(s -> s.lines().anyMatch("WATCHDOG=1"::equals)).count();
    }

    @Test
    void readyCarriesTheStatusAndTheFirstPingThenPingsFollowEveryHalfInterval() {
        try (ServiceNotifier n = notifier(Duration.ofSeconds(15))) {
            n.ready(() -> "link connected, 2 panes", List.of());
            assertThat(sent()).containsExactly("READY=1\nSTATUS=link connected, 2 panes\nWATCHDOG=1");
            clock.advance(Duration.ofSeconds(10));
            n.tick();
            assertThat(pings()).as("not due yet").isEqualTo(1);
            clock.advance(Duration.ofSeconds(6));
            n.tick();
            assertThat(pings()).isEqualTo(2);
            n.tick();
            assertThat(pings()).as("one per interval").isEqualTo(2);
        }
    }

    @Test
    void aLoopThatStopsMovingStopsThePingsUntilItMovesAgain() {
        AtomicReference<Optional<Instant>> scannerRound = new AtomicReference<>(Optional.empty());
        try (ServiceNotifier n = notifier(Duration.ofSeconds(15))) {
            n.ready(() -> "ok", List.of(new ServiceNotifier.Liveness("agentd-scanner", scannerRound::get,
                    Duration.ofSeconds(60))));
            for (int i = 0; i < 3; i++) { // 45 s without a round yet: within the bound, counted from the start
                clock.advance(Duration.ofSeconds(15));
                n.tick();
            }
            assertThat(pings()).isEqualTo(4);
            scannerRound.set(Optional.of(clock.instant()));
            clock.advance(Duration.ofSeconds(61)); // the scanner is stuck now
            n.tick();
            clock.advance(Duration.ofSeconds(15));
            n.tick();
            assertThat(pings()).as("no ping while the scanner is stuck").isEqualTo(4);
            scannerRound.set(Optional.of(clock.instant()));
            n.tick();
            assertThat(pings()).as("pings resume once it moves").isEqualTo(5);
        }
    }

    @Test
    void aStatusReadThatHangsStopsThePingsButNotStopping() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hang = new AtomicBoolean();
        ServiceNotifier n = notifier(Duration.ofSeconds(15));
        n.ready(() -> {
            if (hang.get()) { // a deadlocked part: the outbox's lock never comes free
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return "ok";
        }, List.of());
        hang.set(true);
        clock.advance(Duration.ofSeconds(16));
        Thread stuck = Thread.ofPlatform().start(n::tick);
        stuck.join(300);
        assertThat(stuck.isAlive()).as("the tick waits on the status").isTrue();
        assertThat(pings()).as("no ping while the status cannot be read").isEqualTo(1);
        Thread stop = Thread.ofPlatform().start(n::stopping);
        stop.join(Duration.ofSeconds(10));
        assertThat(stop.isAlive()).as("stopping does not wait for the hung status read").isFalse();
        assertThat(sent()).last().isEqualTo("STOPPING=1\nSTATUS=stopping");
        release.countDown();
        stuck.join(Duration.ofSeconds(5));
        assertThat(sent()).as("nothing after STOPPING").last().isEqualTo("STOPPING=1\nSTATUS=stopping");
    }

    @Test
    void statusIsSentWhenItChangesAndStoppingEndsEverything() {
        AtomicReference<String> status = new AtomicReference<>("link disconnected, 0 panes");
        ServiceNotifier n = notifier(null);
        n.ready(status::get, List.of());
        n.tick();
        status.set("link connected,\n1 pane");
        n.tick();
        n.tick();
        n.stopping();
        status.set("link connected, 2 panes");
        n.tick();
        n.stopping();
        n.close();
        assertThat(sent()).containsExactly("READY=1\nSTATUS=link disconnected, 0 panes",
                "STATUS=link connected, 1 pane", "STOPPING=1\nSTATUS=stopping");
    }

    @Test
    void withoutNotifySocketNothingIsSentAndAWatchdogForAnotherPidIsNotOurs() throws Exception {
        ServiceNotifier none = ServiceNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "30000000"), 1, clock);
        assertThat(none.active()).isFalse();
        none.ready(() -> "x", List.of()); // does nothing, throws nothing
        none.stopping();
        String socket = tmp.resolve("notify.sock").toString();
        try (NotifyReceiver r = new NotifyReceiver(socket)) {
            try (ServiceNotifier other = ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket,
                    "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "4242"), 77, clock)) {
                assertThat(other.active()).isTrue();
                assertThat(other.pingInterval()).isEmpty();
            }
            assertThat(r.next(Duration.ofSeconds(5))).as("closing says it stops").isEqualTo("STOPPING=1\nSTATUS=stopping");
            try (ServiceNotifier ours = ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket,
                    "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "77"), 77, clock)) {
                assertThat(ours.pingInterval()).contains(Duration.ofSeconds(15));
                ours.ready(() -> "hello", List.of());
                assertThat(r.next(Duration.ofSeconds(5))).isEqualTo("READY=1\nSTATUS=hello\nWATCHDOG=1");
            }
            assertThat(r.next(Duration.ofSeconds(5))).isEqualTo("STOPPING=1\nSTATUS=stopping");
        }
        assertThatThrownBy(() -> ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC",
                "soon"), 1, clock)).hasMessageContaining("WATCHDOG_USEC");
    }

    @Test
    void abstractNamespaceSocketsAreReachedAndBadNamesRefused() throws Exception {
        String name = "@agentd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifyReceiver r = new NotifyReceiver(name); NotifySocket s = NotifySocket.open(name)) {
            s.send("STATUS=abstract");
            assertThat(r.next(Duration.ofSeconds(5))).isEqualTo("STATUS=abstract");
        }
        assertThatThrownBy(() -> NotifySocket.open("relative/sock")).hasMessageContaining("NOTIFY_SOCKET");
        assertThatThrownBy(() -> NotifySocket.open("/" + "x".repeat(120))).hasMessageContaining("NOTIFY_SOCKET");
        assertThat(NotifySocket.address("/run/n")).hasSize(2 + 6 + 1);
        assertThat(NotifySocket.address("@n")).hasSize(2 + 2);
    }
}
