package dev.agentcommander.agentd.hooks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sends exactly the bytes a test writes (a browser's headers, a broken request line) to the receiver on its Unix
 * socket or TCP port, and reads whatever comes back until the server closes.
 */
final class RawHttp {
    /** {@code status} -1: the connection closed without an answer. */
    record Reply(int status, String head, String body) {
    }

    /** How long a reply may take: past it the connection is closed and what came so far is the reply. */
    static final java.time.Duration READ_LIMIT = java.time.Duration.ofSeconds(5);

    private RawHttp() {
    }

    static Reply send(Path socket, String request) throws IOException {
        return send(UnixDomainSocketAddress.of(socket), request.getBytes(StandardCharsets.UTF_8));
    }

    static Reply send(SocketAddress to, byte[] request) throws IOException {
        try (SocketChannel ch = to instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open()) {
            ch.connect(to);
            Thread deadline = Thread.ofVirtual().start(() -> { // a held request (an approval!) ends the wait
                try {
                    Thread.sleep(READ_LIMIT.toMillis());
                    ch.close();
                } catch (InterruptedException | IOException e) {
                    // answered in time
                }
            });
            try {
                return exchange(ch, request);
            } finally {
                deadline.interrupt();
            }
        }
    }

    private static Reply exchange(SocketChannel ch, byte[] request) {
        ByteBuffer out = ByteBuffer.wrap(request);
        try {
            while (out.hasRemaining()) {
                ch.write(out);
            }
        } catch (IOException e) {
            // the server answered and closed before taking everything: read what it said
        }
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (ch.read(buf.clear()) >= 0) {
                in.write(buf.array(), 0, buf.position());
            }
        } catch (IOException e) {
            // reset after the answer
        }
        String text = in.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            return new Reply(-1, text, "");
        }
        return new Reply(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
    }

    /** A request with a Content-Length body; {@code headers} in order, written as given. */
    static String request(String method, String target, Map<String, String> headers, String body) {
        StringBuilder sb = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        sb.append("Content-Length: ").append(b.length).append("\r\n\r\n").append(body);
        return sb.toString();
    }

    /** What {@code agentd-hook} sends for {@code pane} ({@code %N}, or null for none) on the Unix socket. */
    static String hook(String pane, String json) {
        return request("POST", "/hooks/claude" + (pane == null ? "" : "?pane=" + pane.replace("%", "%25")),
                jsonHeaders("agentd"), json);
    }

    /** Host and Content-Type as a hook client sends them. */
    static Map<String, String> jsonHeaders(String host) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", host);
        h.put("Content-Type", "application/json");
        return h;
    }
}
