package dev.agentcommander.agentd.hooks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * {@code hooks.listen}, parsed once by one rule for the config, the receiver, {@code agentd hook} and
 * install-hooks: a loopback host (127.0.0.1, ::1 or localhost) and a port. {@link #toString()} is the form URLs and
 * {@code --listen} take: an IPv6 host keeps its brackets ({@code [::1]:7717}), or curl cannot parse the URL and
 * the hook silently delivers nothing.
 */
public record ListenAddress(String host, int port) {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1", "localhost");

    /**
     * Parses {@code host:port} ({@code [::1]:port} or {@code ::1:port} for IPv6).
     *
     * @throws IllegalArgumentException naming {@code hooks.listen} when it is malformed or not loopback
     */
    public static ListenAddress parse(String hostPort) {
        String text = hostPort == null ? "" : hostPort.strip();
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("hooks.listen: must be HOST:PORT (got " + text + ")");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hooks.listen: port must be a number (got " + text + ")");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("hooks.listen: port must be 0..65535 (got " + port + ")");
        }
        if (!LOOPBACK.contains(host) || !resolve(host).isLoopbackAddress()) {
            throw new IllegalArgumentException("hooks.listen: must be a loopback address (127.0.0.1, ::1 or "
                    + "localhost), not '" + text + "': anyone who reaches it could approve tool calls");
        }
        return new ListenAddress(host, port);
    }

    /** The address to bind or connect to. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(resolve(host), port);
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("hooks.listen: unknown host '" + host + "'");
        }
    }

    /** {@code host:port}, with an IPv6 host in brackets. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
