package dev.agentcommander.controlplane;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.BrowserSessions;
import dev.agentcommander.controlplane.auth.GitHub;
import dev.agentcommander.controlplane.auth.LoginLinks;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.auth.SignIn;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.auth.WebOrigin;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.DataDirLock;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.db.PostgresSupervisor;
import dev.agentcommander.controlplane.db.PrivateDirs;
import dev.agentcommander.controlplane.db.Retention;
import dev.agentcommander.controlplane.db.StartupException;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.fanout.FanOutKind;
import dev.agentcommander.controlplane.fanout.HostNotifier;
import dev.agentcommander.controlplane.fanout.InProcessFanOut;
import dev.agentcommander.controlplane.fanout.PgSignals;
import dev.agentcommander.controlplane.http.RestApi;
import dev.agentcommander.controlplane.http.Routes;
import dev.agentcommander.controlplane.link.AgentEndpoint;
import dev.agentcommander.controlplane.link.AgentLinks;
import dev.agentcommander.controlplane.link.CommandService;
import dev.agentcommander.controlplane.link.HostPresence;
import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.controlplane.notify.Notifier;
import dev.agentcommander.controlplane.rules.ApprovalIntake;
import dev.agentcommander.controlplane.rules.RuleDecisions;
import dev.agentcommander.controlplane.rules.RuleEngine;
import dev.agentcommander.controlplane.ui.ConsoleHub;
import dev.agentcommander.controlplane.ui.UiEndpoint;
import dev.agentcommander.controlplane.ui.UiQuotas;
import dev.agentcommander.schema.Protocol;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One control-plane instance: database (embedded or DATABASE_URL), HTTP + WebSocket server, and the in-process
 * parts (agent links, fan-out, host notifier). The only wiring point; tests run it in-process on port 0.
 */
public final class ControlPlane implements AutoCloseable {
    public static final String VERSION = versionOf();

    /** Ensure host {@code hostName} exists and {@code tokenFile} holds a valid token for it (launcher). */
    public record Bootstrap(String hostName, Path tokenFile) {
    }

    private final ServerConfig config;
    private final Clock clock;
    /** Completed with a one-line reason when the control plane cannot go on (its database did not come back). */
    private final CompletableFuture<String> failed = new CompletableFuture<>();
    /** close() runs once: from Main on a failure, then again from the shutdown hook. */
    private final AtomicBoolean closed = new AtomicBoolean();
    private DataDirLock lock;
    private PostgresSupervisor supervisor;
    private EmbeddedDatabase embedded;
    private Database db;
    private Tokens tokens;
    private SignIn signIn;
    private AgentLinks links;
    private ConsoleHub console;
    private Routes routes;
    private WebServer server;
    private Notifier notifications;
    private Metrics metrics = Metrics.off();
    private Retention retention;
    private PgSignals signals;

    public ControlPlane(ServerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public ControlPlane start() {
        return start(null, System.out);
    }

    /** Starts everything, then prints {@code control-plane listening on http(s)://HOST:PORT} on {@code out}. */
    public ControlPlane start(Bootstrap bootstrap, PrintStream out) {
        try {
            PrivateDirs.ensure(config.dataDir(), "DATA_DIR");
            requireFreePort(config.host(), config.port());
            String url = config.databaseUrl();
            if (url == null) {
                lock = DataDirLock.acquire(config.dataDir());
                embedded = EmbeddedDatabase.start(config.dataDir().resolve("pg"), config.embeddedDbPort(),
                        config.embeddedDbGiveUp(), (n, why, next) -> System.getLogger(ControlPlane.class.getName())
                                .log(System.Logger.Level.WARNING, "embedded Postgres start attempt " + n + ": " + why));
                url = embedded.jdbcUrl();
            } else {
                Database.requireReachable(url, "DATABASE_URL");
            }
            db = Database.open(url, 16);
            byte[] key = signingKey(config);
            tokens = new Tokens(key, clock);
            signIn = new SignIn(config.signIn(), new GitHub(config.signIn(), VERSION),
                    new BrowserSessions(db, key, clock), new LoginLinks(key, clock),
                    new WebOrigin(config.publicUrl(), config.host(), config.tls() != null));
            if (bootstrap != null) {
                bootstrapHost(bootstrap);
            }
            metrics = config.ops().metricsEnabled() ? Metrics.on() : Metrics.off();
            FanOut fanOut;
            HostNotifier notifier;
            if (config.fanOut() == FanOutKind.POSTGRES) {
                signals = PgSignals.start(db, clock);
                fanOut = signals.fanOut();
                notifier = signals.notifier();
            } else {
                fanOut = new InProcessFanOut();
                notifier = new HostNotifier.InProcess();
            }
            HostPresence presence = new HostPresence(db, fanOut);
            links = new AgentLinks(presence);
            notifier.onHostWork(links::wake);
            notifier.onMissedWork(links::wakeAll);
            CommandService commands = new CommandService(db, notifier);
            console = new ConsoleHub(commands, fanOut, clock);
            if (signals != null) {
                signals.fanOut().relayConsoleUnless(console::owns);
            }
            UiQuotas uiQuotas = new UiQuotas(clock);
            notifications = new Notifier(config.notifications(), db, clock, this::baseUrl);
            RuleDecisions rules = new RuleDecisions(new RuleEngine(), clock);
            ApprovalIntake intake = (c, host, request) -> {
                boolean decided = rules.stored(c, host, request);
                if (!decided) {
                    notifications.approvalRequested(c, request.approvalId());
                }
                return decided;
            };
            Instruments.bind(metrics, db, links, uiQuotas, clock);
            RestApi api = new RestApi(db, tokens, signIn, links, presence, commands, fanOut, notifier, clock,
                    metrics, config.ops().metricsToken());
            HttpRouting.Builder routing = HttpRouting.builder();
            routes = api.register(routing);
            WsRouting.Builder ws = WsRouting.builder()
                    .endpoint("/v1/agent", () -> new AgentEndpoint(db, links, fanOut, clock, VERSION,
                            host -> {
                                presence.changed(host);
                                presence.changed(host);
                                fanOut.publish(new FanOut.HostConnected(host)); // console streams, every replica
                                notifier.hostHasWork(host); // a replica holding an older socket checks its epoch now
                            }, intake, metrics))
                    .endpoint("/v1/ui", () -> new UiEndpoint(db, tokens, signIn, fanOut, console, uiQuotas,
                            commands));
            WebServerConfig.Builder web = WebServer.builder();
            if (config.tls() != null) { // HTTPS and WSS on the one port; plain HTTP there fails the handshake
                web.tls(config.tls().helidon());
                String warning = config.tls().validityWarning(clock.instant());
                if (warning != null) {
                    System.getLogger(ControlPlane.class.getName()).log(System.Logger.Level.WARNING, warning);
                }
            }
            server = web
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    // small frames (acks, commands, console echoes) must not wait on Nagle + delayed ACK (~40 ms)
                    .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                    .addProtocol(WsConfig.builder().name("websocket")
                            .maxFrameLength(2 * Protocol.MAX_FRAME_BYTES + 1024).build())
                    .routing(routing)
                    .addRouting(ws)
                    .build()
                    .start();
            if (server.port() < 0) {
                throw portInUse(config.host(), config.port(), "the server could not bind it");
            }
            signIn.origin().listening(server.port());
            notifications.start();
            retention = new Retention(db, Retention.Settings.days(config.ops().eventsRetentionDays(),
                    config.ops().auditRetentionDays()), clock).start();
            if (embedded != null) {
                supervisor = PostgresSupervisor.start(embedded, db, config.embeddedDbGiveUp(), clock, failed::complete);
                lock.publish(config.scheme() + "://" + config.host() + ":" + server.port());
            }
            out.println("control-plane listening on " + config.scheme() + "://" + config.host() + ":" + server.port());
            out.flush();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    /** Where links in notifications point: PUBLIC_URL, else this server's own address. */
    private String baseUrl() {
        if (config.publicUrl() != null) {
            return config.publicUrl().replaceAll("/+$", "");
        }
        String h = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
        return config.scheme() + "://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + server.port();
    }

    /** Completes with a one-line reason when this instance cannot go on; {@code Main} then exits non-zero. */
    public CompletableFuture<String> failed() {
        return failed;
    }

    /** A busy PORT fails at once, naming it, instead of a server that listens nowhere. */
    private static void requireFreePort(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw portInUse(host, port, e.getMessage());
        }
    }

    private static StartupException portInUse(String host, int port, String why) {
        return new StartupException("port " + port + " is in use on " + host + " (" + why + "); set PORT=… to a "
                + "free port (PORT=0 picks one)");
    }

    /** Every HTTP route this instance registered (the OpenAPI document must list each). */
    public List<Routes.Route> routes() {
        return routes.all();
    }

    /** The instance's token minting (the {@code token} subcommand and tests). */
    public Tokens tokens() {
        return tokens;
    }

    /** Browser sign-in: sessions, one-time links, this site's origin (tests and the sign-in bench). */
    public SignIn signIn() {
        return signIn;
    }

    public Database database() {
        return db;
    }

    /** This instance's metrics ({@link Metrics#off()} with METRICS_ENABLED=false). */
    public Metrics metrics() {
        return metrics;
    }

    /** The LISTEN/NOTIFY parts when {@code FANOUT=postgres}, else null (tests). */
    public PgSignals signals() {
        return signals;
    }

    /**
     * Where a browser reaches this instance: PUBLIC_URL, else the URL the running instance published in the data
     * dir's lock (a wildcard host read as 127.0.0.1), else {@code http://127.0.0.1:PORT}.
     */
    static String siteUrl(ServerConfig config) {
        if (config.publicUrl() != null) {
            return config.publicUrl().replaceAll("/+$", "");
        }
        String published = DataDirLock.publishedUrl(config.dataDir());
        String url = published != null ? published
                : config.scheme() + "://127.0.0.1:" + (config.port() == 0 ? 8080 : config.port());
        return url.replace("://0.0.0.0:", "://127.0.0.1:").replace("://[::]:", "://127.0.0.1:")
                .replace("://:::", "://127.0.0.1:");
    }

    /** The JWT secret: {@code JWT_SECRET} when set, else the one in {@code DATA_DIR/jwt-secret} (created once). */
    static byte[] signingKey(ServerConfig config) {
        if (config.jwtSecret() != null) {
            return config.jwtSecret().getBytes(StandardCharsets.UTF_8);
        }
        Path file = config.dataDir().resolve("jwt-secret");
        try {
            if (!Files.exists(file)) {
                Secrets.writePrivate(file, Secrets.randomToken());
            }
            byte[] s = Files.readString(file).trim().getBytes(StandardCharsets.UTF_8);
            if (s.length < 32) {
                throw new ServerConfig.ConfigException("JWT_SECRET", file + " holds fewer than 32 bytes");
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private void bootstrapHost(Bootstrap b) {
        try {
            String existing = Files.exists(b.tokenFile()) ? Files.readString(b.tokenFile()).trim() : null;
            String fresh = Secrets.randomToken();
            boolean write = db.tx(c -> {
                ObjectNode h = HostRows.findByName(c, b.hostName());
                if (h == null) {
                    ObjectNode created = HostRows.insert(c, b.hostName(), Secrets.sha256Hex(fresh));
                    Audit.write(c, "bootstrap", "admin", "host.create", created.get("id").asText(), null);
                    return true;
                }
                if (existing != null && Secrets.sha256Hex(existing).equals(h.get("token_hash").asText())) {
                    return false;
                }
                HostRows.rotateToken(c, h.get("id").asText(), Secrets.sha256Hex(fresh));
                Audit.write(c, "bootstrap", "admin", "host.token.rotate", h.get("id").asText(), null);
                return true;
            });
            if (write) {
                Secrets.writePrivate(b.tokenFile(), fresh + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("bootstrap token file " + b.tokenFile(), e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (notifications != null) {
            notifications.close();
        }
        if (retention != null) {
            retention.close();
        }
        if (supervisor != null) {
            supervisor.close();
        }
        if (links != null) {
            links.closeAll();
        }
        if (server != null) {
            server.stop();
        }
        if (console != null) {
            console.close();
        }
        if (signals != null) {
            signals.close();
        }
        if (db != null) {
            db.close();
        }
        if (embedded != null) {
            embedded.close();
        }
        if (lock != null) {
            lock.close();
        }
    }

    private static String versionOf() {
        String v = ControlPlane.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }
}
