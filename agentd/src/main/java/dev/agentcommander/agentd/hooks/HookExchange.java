package dev.agentcommander.agentd.hooks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One HTTP/1.1 exchange on a connected channel: the request line and headers, a {@code Content-Length} body, one
 * response, then the connection closes (every {@code agentd-hook} run is one request, so keep-alive buys
 * nothing). The JDK's HTTP server cannot bind a Unix socket, and the hook endpoint needs this little of HTTP;
 * what it accepts is strict (one request-target form, no folded or duplicate framing headers, bounded head) so
 * that nothing ambiguous reaches the endpoint.
 */
final class HookExchange {
    static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final int MAX_HEADERS = 64;
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> SINGLE = Set.of("content-length", "host", "content-type", "transfer-encoding",
            "origin");
    private static final byte[] CRLF = {'\r', '\n'};

    /** The request cannot be served as sent: the status and a short code for the JSON error body. */
    static final class Refused extends RuntimeException {
        final int status;
        final String code;

        Refused(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private final ByteChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(8192).flip();
    private final Map<String, String> headers = new HashMap<>();
    private String method;
    private String path;
    private String rawQuery;
    private int headBytes;
    private long bodyLeft;
    private boolean responded;

    HookExchange(ByteChannel ch) {
        this.ch = ch;
    }

    /** Reads and checks the request line and headers. */
    void readHead() throws IOException {
        String[] line = readLine().split(" ", -1);
        if (line.length != 3 || !TOKEN.matcher(line[0]).matches() || !line[1].startsWith("/")) {
            throw new Refused(400, "bad_request", "malformed request line");
        }
        if (!line[2].equals("HTTP/1.1")) {
            throw new Refused(505, "http_version", "only HTTP/1.1 is served");
        }
        method = line[0];
        int q = line[1].indexOf('?');
        path = q < 0 ? line[1] : line[1].substring(0, q);
        rawQuery = q < 0 ? null : line[1].substring(q + 1);
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            String name = colon <= 0 ? "" : h.substring(0, colon);
            if (!TOKEN.matcher(name).matches()) { // also a folded line (starts with a space)
                throw new Refused(400, "bad_request", "malformed header line");
            }
            if (headers.size() >= MAX_HEADERS) {
                throw new Refused(431, "headers_too_large", "more than " + MAX_HEADERS + " headers");
            }
            name = name.toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            if (headers.putIfAbsent(name, value) != null && SINGLE.contains(name)) {
                throw new Refused(400, "bad_request", "duplicate " + name + " header");
            }
        }
        String te = headers.get("transfer-encoding");
        if (te != null) {
            throw new Refused(411, "length_required", "send the body with Content-Length, not " + te);
        }
        String cl = headers.get("content-length");
        if (cl != null && !cl.matches("[0-9]{1,15}")) {
            throw new Refused(400, "bad_request", "malformed Content-Length");
        }
        bodyLeft = cl == null ? 0 : Long.parseLong(cl);
    }

    String method() {
        return method;
    }

    String path() {
        return path;
    }

    String rawQuery() {
        return rawQuery;
    }

    /** The header's value (name in any case), or null. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Whether any header's name starts with {@code prefix} (lower case). */
    boolean hasHeaderStartingWith(String prefix) {
        return headers.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    long contentLength() {
        return bodyLeft;
    }

    /**
     * The whole body, or null when it is longer than {@code max} (the body is then read and dropped up to
     * {@code discardLimit}, so the client is past sending when it reads the refusal).
     */
    byte[] readBody(int max, long discardLimit) throws IOException {
        if (bodyLeft > max) {
            drain(discardLimit);
            return null;
        }
        if ("100-continue".equalsIgnoreCase(header("expect"))) {
            write(ByteBuffer.wrap("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        }
        byte[] body = new byte[(int) bodyLeft];
        int off = 0;
        while (off < body.length) {
            off += read(body, off, body.length - off);
        }
        bodyLeft = 0;
        return body;
    }

    /** Reads and drops what is left of the body, at most {@code limit} bytes. */
    void drain(long limit) throws IOException {
        if (bodyLeft > 0 && "100-continue".equalsIgnoreCase(header("expect"))) {
            bodyLeft = 0; // the client waits for our answer before sending: nothing to drain
            return;
        }
        byte[] sink = new byte[16 * 1024];
        long left = Math.min(bodyLeft, limit);
        while (left > 0) {
            left -= read(sink, 0, (int) Math.min(sink.length, left));
        }
        bodyLeft = 0;
    }

    /** A complete response with a body (may be empty). */
    void reply(int status, String contentType, byte[] body) throws IOException {
        StringBuilder head = statusLine(status);
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        write(ByteBuffer.allocate(h.length + body.length).put(h).put(body).flip());
    }

    /** A 200 whose body follows in chunks ({@link #chunk}); a client that goes away fails the next write. */
    void startChunked(String contentType) throws IOException {
        StringBuilder head = statusLine(200).append("Content-Type: ").append(contentType)
                .append("\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        write(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * One chunk; {@code last} also ends the body, in the same write, so a client that gets the answer also
     * gets its end, and an answer cut short is visibly incomplete (curl fails rather than print half a JSON).
     */
    void chunk(byte[] data, boolean last) throws IOException {
        if (data.length == 0) { // a zero-size chunk is the end of the body
            if (last) {
                write(ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            }
            return;
        }
        byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] end = last ? "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII) : CRLF;
        ByteBuffer b = ByteBuffer.allocate(size.length + data.length + end.length).put(size).put(data).put(end);
        write(b.flip());
    }

    boolean responded() {
        return responded;
    }

    private StringBuilder statusLine(int status) {
        if (responded) {
            throw new IllegalStateException("already answered");
        }
        responded = true;
        return new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads at least one byte into {@code dst}; EOF before the request is complete is an error. */
    private int read(byte[] dst, int off, int len) throws IOException {
        if (!in.hasRemaining()) {
            in.clear();
            int n = ch.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("client closed the connection mid-request");
            }
        }
        int n = Math.min(len, in.remaining());
        in.get(dst, off, n);
        return n;
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] one = new byte[1];
        while (true) {
            if (++headBytes > MAX_HEAD_BYTES) {
                throw new Refused(431, "headers_too_large", "request head larger than " + MAX_HEAD_BYTES + " bytes");
            }
            read(one, 0, 1);
            if (one[0] == '\n') {
                int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            sb.append((char) (one[0] & 0xff));
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
