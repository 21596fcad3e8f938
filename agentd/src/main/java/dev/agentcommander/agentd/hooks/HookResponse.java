package dev.agentcommander.agentd.hooks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the receiver's answer the way {@code curl -f} does for the script: only a 200 whose body arrived whole
 * counts (a cut-off chunked body or a short Content-Length is no answer), so a receiver that dies mid-answer
 * never makes the hook print half a decision.
 */
final class HookResponse {
    private HookResponse() {
    }

    /** The body of a complete 200 response without its leading whitespace (heartbeats); null otherwise. */
    static String okBody(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0 || !text.startsWith("HTTP/1.1 200 ")) {
            return null;
        }
        boolean chunked = false;
        long length = -1;
        for (String h : text.substring(0, headEnd).split("\r\n")) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("transfer-encoding:")) {
                chunked = lower.substring(18).strip().equals("chunked");
            } else if (lower.startsWith("content-length:")) {
                try {
                    length = Long.parseLong(lower.substring(15).strip());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        byte[] body = chunked ? dechunk(raw, headEnd + 4) : plain(raw, headEnd + 4, length);
        return body == null ? null : new String(body, StandardCharsets.UTF_8).stripLeading();
    }

    private static byte[] plain(byte[] raw, int from, long length) {
        if (length < 0 || raw.length - from != length) {
            return null;
        }
        byte[] out = new byte[(int) length];
        System.arraycopy(raw, from, out, 0, out.length);
        return out;
    }

    /** The chunks' data, or null unless the last (zero-size) chunk arrived. */
    private static byte[] dechunk(byte[] raw, int pos) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int eol = indexOfCrlf(raw, pos);
            if (eol < 0) {
                return null;
            }
            int size;
            try {
                String s = new String(raw, pos, eol - pos, StandardCharsets.US_ASCII);
                int semi = s.indexOf(';');
                size = Integer.parseInt((semi < 0 ? s : s.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                return null;
            }
            pos = eol + 2;
            if (size == 0) {
                return out.toByteArray();
            }
            if (size < 0 || pos + size + 2 > raw.length) {
                return null;
            }
            out.write(raw, pos, size);
            pos += size + 2;
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
