package dev.agentcommander.agentd.tmux;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into {@code \n}-terminated lines without decoding it: control-mode output carries raw
 * UTF-8 and escape bytes that a Reader would mangle. Lines longer than {@code maxLine} are cut (the rest of the
 * line is skipped), so one runaway line cannot take unbounded memory.
 */
final class LineReader {
    private final InputStream in;
    private final int maxLine;
    private final byte[] buf = new byte[65536];
    private int pos;
    private int lim;
    private byte[] line = new byte[8192];
    private int len;

    LineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next line (valid up to {@link #length()}; the array is reused), or null at end of stream. */
    byte[] next() throws IOException {
        len = 0;
        boolean any = false;
        while (true) {
            if (pos == lim) {
                int n = in.read(buf);
                if (n < 0) {
                    return any ? line : null;
                }
                pos = 0;
                lim = n;
            }
            any = true;
            int start = pos;
            while (pos < lim && buf[pos] != '\n') {
                pos++;
            }
            append(start, pos);
            if (pos < lim) {
                pos++;
                return line;
            }
        }
    }

    int length() {
        return len;
    }

    private void append(int from, int to) {
        int n = Math.min(to - from, maxLine - len);
        if (n <= 0) {
            return;
        }
        if (len + n > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLine, Math.max(len + n, line.length * 2)));
        }
        System.arraycopy(buf, from, line, len, n);
        len += n;
    }
}
