package dev.agentcommander.agentd.doctor;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.config.ConfigException;
import dev.agentcommander.agentd.link.Link;
import dev.agentcommander.agentd.link.LinkTls;
import dev.agentcommander.agentd.link.Transport;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.Codec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The control plane, one layer at a time, so the finding names the layer that breaks: the name resolves, a TCP
 * connection opens, TLS verifies (for {@code wss://}), {@code GET /health} answers (its {@code Date} header gives the
 * clock skew), and the agent WebSocket accepts this host's token. The last step uses agentd's own WebSocket client
 * and sends one frame the server answers without registering anything (a frame before {@code agent.hello} gets an
 * {@code error} reply; a refused token gets a close instead), so a running agentd is not disturbed.
 */
final class ControlPlaneProbe {
    /** More skew than this makes timestamps and approval expiry visibly wrong. */
    static final Duration MAX_SKEW = Duration.ofSeconds(10);
    private static final int MAX_HEAD = 16 * 1024;

    private final Config.ControlPlane config;
    private final Transport transport;
    private final Clock clock;
    private final Duration timeout;

    ControlPlaneProbe(Config.ControlPlane config, Transport transport, Clock clock, Duration timeout) {
        this.config = config;
        this.transport = transport;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Every URL of {@code control_plane.url} (one, or a failover list), each layer by layer. */
    List<Check> run() {
        List<URI> uris;
        try {
            uris = config.urls(); // the config's own parser and checks, so doctor reads the key as agentd does
        } catch (ConfigException e) {
            return List.of(Check.fail("control_plane.url", e.getMessage(), "set control_plane.url to "
                    + "wss://HOST/v1/agent (ws:// only on this machine or a trusted network)"));
        }
        List<Check> checks = new ArrayList<>();
        for (URI uri : uris) {
            checks.addAll(probe(uri));
        }
        return checks;
    }

    private List<Check> probe(URI uri) {
        List<Check> checks = new ArrayList<>();
        String url = uri.toString();
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("wss");
        if (Link.sendsTokenInClear(uri)) { // what agentd warns about at start, for the same URLs
            checks.add(Check.warn("control_plane.url", url + " is plain ws:// to another machine: the host "
                    + "token and everything agentd sends cross the network unencrypted", "use wss:// (the control "
                    + "plane serves TLS itself or behind a reverse proxy)"));
        }
        String host = uri.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String fixUrl = "check control_plane.url (" + url + ")";
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
            checks.add(Check.ok("control_plane.dns", bare + " is " + Arrays.stream(addresses)
                    .map(InetAddress::getHostAddress).collect(Collectors.joining(", "))));
        } catch (UnknownHostException e) {
            checks.add(Check.fail("control_plane.dns", "cannot resolve " + bare, fixUrl + " and this box's DNS "
                    + "(/etc/resolv.conf)"));
            return checks;
        }
        try (Socket socket = connect(addresses, port, checks, fixUrl)) {
            if (socket == null) {
                return checks;
            }
            Socket s = socket;
            if (tls) {
                try {
                    s = startTls(socket, bare, port);
                    checks.add(Check.ok("control_plane.tls", "certificate for " + bare + " verified ("
                            + ((SSLSocket) s).getSession().getProtocol() + ")"));
                } catch (IOException e) {
                    checks.add(Check.fail("control_plane.tls", "TLS to " + bare + ":" + port + " failed: "
                            + e.getMessage(), "the certificate must name " + bare + " and be trusted here: add its "
                            + "CA to the JDK's trust store or control_plane.ca_file"));
                    return checks;
                }
            }
            health(s, uri, host, port, tls, checks);
        } catch (IOException e) {
            checks.add(Check.warn("control_plane.http", "GET /health failed: " + e.getMessage(), fixUrl));
        }
        checks.add(token(uri));
        return checks;
    }

    private Socket connect(InetAddress[] addresses, int port, List<Check> checks, String fixUrl) {
        List<String> failures = new ArrayList<>();
        for (InetAddress a : addresses) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(a, port), (int) timeout.toMillis());
                s.setSoTimeout((int) timeout.toMillis());
                checks.add(Check.ok("control_plane.tcp", "connected to " + a.getHostAddress() + ":" + port));
                return s;
            } catch (IOException e) {
                failures.add(a.getHostAddress() + ":" + port + " " + e.getMessage());
                try {
                    s.close();
                } catch (IOException ignored) {
                    // not connected
                }
            }
        }
        checks.add(Check.fail("control_plane.tcp", "cannot connect: " + String.join("; ", failures), "start the "
                + "control plane (./commander up, or systemctl start agent-commander-control-plane) or " + fixUrl
                + "; a firewall may be dropping the port"));
        return null;
    }

    /** The handshake agentd's link makes: the system's CAs plus {@code control_plane.ca_file}'s, hostname checked. */
    private Socket startTls(Socket plain, String host, int port) throws IOException {
        LinkTls trust = new LinkTls(config.trustedCas(), config.caFile() == null ? null : config.caFile().toString());
        SSLSocketFactory factory;
        try {
            factory = trust.factory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the trust store: " + e.getMessage(), e);
        }
        SSLSocket s = (SSLSocket) factory.createSocket(plain, host, port, true);
        var p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        try {
            s.startHandshake();
        } catch (SSLException e) {
            throw trust.explain(e, host, port);
        }
        return s;
    }

    /** {@code GET <base>/health} on the open connection; the status and the clock skew from {@code Date}. */
    private void health(Socket s, URI uri, String host, int port, boolean tls, List<Check> checks) throws IOException {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String base = path.endsWith("/v1/agent") ? path.substring(0, path.length() - "/v1/agent".length()) : "";
        String authority = host + (port == (tls ? 443 : 80) ? "" : ":" + port);
        Instant sent = clock.instant();
        s.getOutputStream().write(("GET " + base + "/health HTTP/1.1\r\nHost: " + authority + "\r\nAccept: "
                + "application/json\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        String[] head = readHead(s.getInputStream()).split("\r\n");
        Instant received = clock.instant();
        String[] status = head[0].split(" ", 3);
        int code = status.length >= 2 && status[0].startsWith("HTTP/") && status[1].matches("\\d{3}")
                ? Integer.parseInt(status[1]) : -1;
        String date = null;
        for (String h : head) {
            if (h.regionMatches(true, 0, "Date:", 0, 5)) {
                date = h.substring(5).strip();
            }
        }
        if (code == 200) {
            checks.add(Check.ok("control_plane.http", "GET " + base + "/health: 200"));
        } else if (code == 503) {
            checks.add(Check.warn("control_plane.http", "GET " + base + "/health: 503, the control plane is up but"
                    + " its database is not", "see the control plane's log and GET /health's reason"));
        } else {
            checks.add(Check.warn("control_plane.http", "GET " + base + "/health answered " + (code < 0 ? "no HTTP"
                    : "HTTP " + code) + ": is this an Agent Commander control plane?", "check control_plane.url"));
        }
        if (date == null) {
            checks.add(Check.warn("control_plane.clock", "no Date header: clock skew not measured", ""));
            return;
        }
        try {
            Instant server = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Instant mid = sent.plus(Duration.between(sent, received).dividedBy(2));
            Duration skew = Duration.between(server, mid).abs().minusMillis(1000); // Date has whole seconds
            String seen = "this clock is " + Math.max(0, skew.toSeconds()) + " s off the control plane's";
            checks.add(skew.compareTo(MAX_SKEW) > 0 ? Check.warn("control_plane.clock", seen, "synchronise the "
                    + "clocks (timedatectl set-ntp true, on both machines)") : Check.ok("control_plane.clock", seen));
        } catch (RuntimeException e) {
            checks.add(Check.warn("control_plane.clock", "unreadable Date header: " + date, ""));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && sb.length() < MAX_HEAD) {
            sb.append((char) b);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        if (sb.isEmpty()) {
            throw new IOException("the connection closed without an answer");
        }
        return sb.toString();
    }

    /** Upgrade with the host token, then one frame before hello: an error reply means the token was accepted. */
    private Check token(URI uri) {
        String fix = "put this host's token in " + config.tokenFile() + " (agentd enroll, or POST /v1/hosts as admin) "
                + "or set control_plane.token";
        if (config.token().isEmpty()) {
            return Check.fail("control_plane.token", "no host token (control_plane.token is empty and "
                    + config.tokenFile() + " is missing or empty)", fix);
        }
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Transport.Connection conn;
        try {
            conn = transport.connect(uri, config.token(), new Transport.Listener() {
                @Override
                public void onText(String text) {
                    events.add("text");
                }

                @Override
                public void onClosed(int code, String reason) {
                    events.add(code + " " + reason);
                }
            });
        } catch (Transport.Unauthorized e) {
            return Check.fail("control_plane.token", "the control plane refused this host's token (" + e.getMessage()
                    + ")", fix);
        } catch (Exception e) {
            return Check.fail("control_plane.websocket", "WebSocket to " + uri + " failed: " + e.getMessage(),
                    "control_plane.url must be the agent socket, ending in /v1/agent");
        }
        try {
            try {
                conn.send(Codec.encodeAgent(new AgentMessage.Unknown("agent.doctor",
                        JsonNodeFactory.instance.objectNode()), null, clock.instant()));
            } catch (Exception e) {
                // a server refusing the token may close before our frame is out: its close frame says why
            }
            String first = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (first == null) {
                return Check.warn("control_plane.token", "the WebSocket opened but nothing came back within "
                        + timeout.toSeconds() + " s", "see the control plane's log");
            }
            if (first.equals("text")) {
                return Check.ok("control_plane.token", "the agent WebSocket accepted this host's token");
            }
            int space = first.indexOf(' ');
            CloseReason reason = CloseReason.parse(Integer.parseInt(first.substring(0, space)),
                    first.substring(space + 1));
            if (reason.kind() == CloseReason.Kind.UNAUTHORIZED || reason.kind() == CloseReason.Kind.FORBIDDEN) {
                return Check.fail("control_plane.token", "the control plane refused this host's token ("
                        + reason.reason() + ")", fix);
            }
            return Check.warn("control_plane.token", "the control plane closed the WebSocket: " + reason.reason(),
                    "see the control plane's log");
        } catch (Exception e) {
            return Check.warn("control_plane.token", "the WebSocket failed: " + e.getMessage(), "run doctor again");
        } finally {
            conn.close(1000, "agentd doctor");
        }
    }
}
