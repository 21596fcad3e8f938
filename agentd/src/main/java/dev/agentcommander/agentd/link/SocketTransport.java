package dev.agentcommander.agentd.link;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The link over a plain {@link Socket} speaking RFC 6455 itself. The JDK's {@code java.net.http} client did the
 * same job but loaded its whole HTTP/1.1+2 machinery and the TLS stack even for {@code ws://} (about 450 classes
 * and a selector thread, several MB of agentd's RSS); this one loads TLS only for {@code wss://} and costs one
 * reader virtual thread per connection. For {@code wss://} it trusts what {@link LinkTls} says (the JVM's trust
 * store plus {@code control_plane.ca_file}) and checks the certificate names the host. What it keeps from the JDK
 * client: the upgrade with the bearer token and a
 * checked {@code Sec-WebSocket-Accept}, HTTP 401/403 thrown as {@link Transport.Unauthorized}, fragmented text
 * reassembled, pings answered, the server's close code and reason handed on, a send that blocks longer than 15 s
 * failing. Frames are checked by {@link WsFrames}; a message over {@code maxMessageBytes} is dropped unread (the
 * connection stays up), and any other protocol error closes the connection (1002, 1007 for bad UTF-8).
 */
public final class SocketTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(SocketTransport.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_RESPONSE_HEAD = 16 * 1024;

    private final SecureRandom random = new SecureRandom();
    private final int maxMessageBytes;
    private final Duration timeout;
    private final LinkTls tls;

    /** @param maxMessageBytes the largest message from the server that is delivered (the protocol's frame limit) */
    public SocketTransport(int maxMessageBytes) {
        this(maxMessageBytes, LinkTls.systemOnly());
    }

    /** @param tls whom a {@code wss://} server may be (the JVM's trust store plus {@code control_plane.ca_file}) */
    public SocketTransport(int maxMessageBytes, LinkTls tls) {
        this(maxMessageBytes, TIMEOUT, tls);
    }

    SocketTransport(int maxMessageBytes, Duration timeout) {
        this(maxMessageBytes, timeout, LinkTls.systemOnly());
    }

    SocketTransport(int maxMessageBytes, Duration timeout, LinkTls tls) {
        this.maxMessageBytes = maxMessageBytes;
        this.timeout = timeout;
        this.tls = tls;
    }

    @Override
    public Connection connect(URI uri, String token, Listener listener) throws Exception {
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss") || uri.getHost() == null) {
            throw new IllegalArgumentException("not a ws:// or wss:// URL: " + uri);
        }
        boolean tls = scheme.equals("wss");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String host = uri.getHost(); // an IPv6 literal keeps its brackets here, as the Host header wants it
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true); // small frames go out at once (Nagle + delayed ACK cost ~40 ms)
            socket.connect(new InetSocketAddress(bare, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis()); // for the handshake; the link watches silence itself
            if (tls) {
                socket = startTls(socket, bare, port);
            }
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            OutputStream out = socket.getOutputStream();
            handshake(uri, host, port, tls, token, in, out);
            socket.setSoTimeout(0);
            return new SocketConnection(socket, in, out, listener, random, maxMessageBytes, timeout);
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    private Socket startTls(Socket plain, String host, int port) throws IOException {
        SSLSocketFactory factory;
        try {
            factory = tls.factory();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("TLS: cannot set up the trust store: " + e.getMessage(), e);
        }
        SSLSocket s = (SSLSocket) factory.createSocket(plain, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        if (!host.contains(":") && !host.matches("[0-9.]+")) { // SNI names a host, never an address
            p.setServerNames(java.util.List.of(new SNIHostName(host)));
        }
        s.setSSLParameters(p);
        try {
            s.startHandshake();
        } catch (SSLException e) {
            throw tls.explain(e, host, port);
        }
        return s;
    }

    private void handshake(URI uri, String host, int port, boolean tls, String token, InputStream in,
                           OutputStream out) throws IOException {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        boolean defaultPort = port == (tls ? 443 : 80);
        String authority = host + (defaultPort ? "" : ":" + port);
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("control_plane.token holds a space or a control character");
        }
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String[] lines = readHead(in).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        int code;
        try {
            code = status.length >= 2 && status[0].startsWith("HTTP/1.") ? Integer.parseInt(status[1]) : -1;
        } catch (NumberFormatException e) {
            code = -1;
        }
        if (code == 401 || code == 403) {
            throw new Unauthorized("unauthorized: HTTP " + code, null);
        }
        if (code != 101) {
            throw new IOException("WebSocket upgrade refused: " + (code < 0 ? "not an HTTP response" : "HTTP " + code));
        }
        String upgrade = null;
        String connection = null;
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "upgrade" -> upgrade = value;
                case "connection" -> connection = value;
                case "sec-websocket-accept" -> accept = value;
                case "sec-websocket-extensions", "sec-websocket-protocol" ->
                        throw new IOException("WebSocket upgrade: the server chose " + name + " we did not offer");
                default -> { }
            }
        }
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket") || connection == null
                || !connection.toLowerCase(Locale.ROOT).contains("upgrade")) {
            throw new IOException("WebSocket upgrade: no Upgrade: websocket / Connection: Upgrade in the answer");
        }
        if (!expectedAccept(key).equals(accept)) {
            throw new IOException("WebSocket upgrade: wrong Sec-WebSocket-Accept");
        }
    }

    static String expectedAccept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The response's status line and headers, up to the blank line; bounded. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0; // of \r\n\r\n
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the WebSocket upgrade");
            }
            if (head.size() >= MAX_RESPONSE_HEAD) {
                throw new IOException("WebSocket upgrade: response head over " + MAX_RESPONSE_HEAD + " bytes");
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
