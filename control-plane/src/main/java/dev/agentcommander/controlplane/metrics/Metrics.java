package dev.agentcommander.controlplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * This replica's metrics, kept by Micrometer and written by its Prometheus registry (so the exposition format is
 * the library's, not ours). Parts record through the few methods here and never see Micrometer; the wiring point
 * binds the gauges it can read ({@link #gauge}, {@link #counter}). {@link #off()} records nothing and serves
 * nothing: {@code METRICS_ENABLED=false}.
 *
 * <p>Cardinality is bounded by construction: the only label that grows with the fleet is {@code host_id}, and
 * only for hosts whose socket this replica holds, at most {@link #MAX_HOST_SERIES} of them (three series each);
 * a host past that is counted in {@code agentcommander_host_series_dropped} instead. A host's series go away when
 * its socket closes, so a fleet that churns does not pile up series either.
 */
public final class Metrics {
    /** Hosts with their own series on one replica; 3 series a host, so at most 15 000 per-host series. */
    public static final int MAX_HOST_SERIES = 5_000;
    private static final Duration[] BATCH_BUCKETS = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000);
    private static final Duration[] DECISION_BUCKETS = seconds(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600);

    /** What one connected host reports; read at scrape time. Null or negative = not known (NaN). */
    public interface HostValues {
        long ackLag();

        Long outboxBacklog();

        Long rssBytes();
    }

    /** A host's series; {@link #close()} removes them unless a newer connection of the host took them over. */
    public interface HostSeries extends AutoCloseable {
        @Override
        void close();
    }

    private static final HostSeries NO_SERIES = () -> { };

    private final PrometheusMeterRegistry registry;
    private final Timer ingestBatch;
    private final Counter ingestMessages;
    private final Timer decisions;
    /** host id → the values of the connection that owns the host's series now; guarded by this. */
    private final Map<String, HostValues> hosts = new HashMap<>();
    private final Map<String, List<Meter>> hostMeters = new HashMap<>();
    private int dropped;
    private final List<Object> keep = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Metrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        if (registry == null) {
            ingestBatch = null;
            ingestMessages = null;
            decisions = null;
            return;
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        ingestBatch = Timer.builder("agentcommander.ingest.batch")
                .description("Time to store one ingest batch and ack it (one transaction)")
                .serviceLevelObjectives(BATCH_BUCKETS).register(registry);
        ingestMessages = Counter.builder("agentcommander.ingest.messages")
                .description("Agent messages stored and acked").register(registry);
        decisions = Timer.builder("agentcommander.approval.decision")
                .description("From an approval request to a person's decision")
                .serviceLevelObjectives(DECISION_BUCKETS).register(registry);
        Gauge.builder("agentcommander.host.series.dropped", this, m -> m.droppedHosts()).strongReference(true)
                .description("Connected hosts without their own series (past " + MAX_HOST_SERIES + ")")
                .register(registry);
    }

    /** Metrics on: a fresh Prometheus registry with the JVM's own metrics bound. */
    public static Metrics on() {
        return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Metrics off: every method does nothing and {@link #scrape()} is never offered. */
    public static Metrics off() {
        return new Metrics(null);
    }

    public boolean enabled() {
        return registry != null;
    }

    /** One ingest batch of {@code messages} was committed and acked after {@code nanos}. */
    public void ingested(int messages, long nanos) {
        if (registry != null) {
            ingestMessages.increment(messages);
            ingestBatch.record(Duration.ofNanos(nanos));
        }
    }

    /** A person decided an approval {@code latency} after it was requested. */
    public void decided(Duration latency) {
        if (registry != null && !latency.isNegative()) {
            decisions.record(latency);
        }
    }

    /** A gauge read at scrape time ({@code NaN} = unknown). */
    public void gauge(String name, String help, DoubleSupplier value) {
        if (registry != null) {
            Gauge.builder(name, value, DoubleSupplier::getAsDouble).strongReference(true).description(help)
                    .register(registry);
        }
    }

    /** A monotonic count kept elsewhere, read at scrape time. */
    public void counter(String name, String help, DoubleSupplier total) {
        if (registry != null) {
            FunctionCounter.builder(name, total, DoubleSupplier::getAsDouble).description(help).register(registry);
            keep.add(total); // a function counter holds its object weakly
        }
    }

    /**
     * Gives {@code hostId} its series, read from {@code values}. A second connection of the same host takes the
     * series over (the older one's {@link HostSeries#close()} then leaves them alone).
     */
    public synchronized HostSeries host(String hostId, HostValues values) {
        if (registry == null) {
            return NO_SERIES;
        }
        if (!hosts.containsKey(hostId) && hosts.size() >= MAX_HOST_SERIES) {
            dropped++;
            return () -> {
                synchronized (Metrics.this) {
                    dropped--;
                }
            };
        }
        hosts.put(hostId, values);
        hostMeters.computeIfAbsent(hostId, id -> List.of(
                hostGauge("agentcommander.host.ack.lag", id, "Messages received from the host and not yet acked",
                        v -> v.ackLag()),
                hostGauge("agentcommander.host.outbox.backlog", id,
                        "Unacked messages in the host's outbox (its last heartbeat)", HostValues::outboxBacklog),
                hostGauge("agentcommander.host.rss.bytes", id, "agentd's resident memory in bytes (its last heartbeat)",
                        HostValues::rssBytes)));
        return () -> release(hostId, values);
    }

    private Meter hostGauge(String name, String hostId, String help, java.util.function.Function<HostValues, Number> f) {
        return Gauge.builder(name, () -> {
            HostValues v;
            synchronized (this) {
                v = hosts.get(hostId);
            }
            Number n = v == null ? null : f.apply(v);
            return n == null || n.doubleValue() < 0 ? Double.NaN : n.doubleValue();
        }).strongReference(true).description(help).tag("host_id", hostId).register(registry);
    }

    private synchronized void release(String hostId, HostValues values) {
        if (hosts.remove(hostId, values)) {
            List<Meter> meters = hostMeters.remove(hostId);
            if (meters != null) {
                meters.forEach(registry::remove);
            }
        }
    }

    private synchronized int droppedHosts() {
        return dropped;
    }

    /** How many hosts have their own series now (tests). */
    public synchronized int hostSeries() {
        return hosts.size();
    }

    /** The Prometheus text exposition (format 0.0.4) of everything registered. */
    public String scrape() {
        if (registry == null) {
            throw new IllegalStateException("metrics are off");
        }
        return registry.scrape();
    }

    private static Duration[] millis(long... ms) {
        Duration[] d = new Duration[ms.length];
        for (int i = 0; i < ms.length; i++) {
            d[i] = Duration.ofMillis(ms[i]);
        }
        return d;
    }

    private static Duration[] seconds(long... s) {
        Duration[] d = new Duration[s.length];
        for (int i = 0; i < s.length; i++) {
            d[i] = Duration.ofSeconds(s[i]);
        }
        return d;
    }
}
