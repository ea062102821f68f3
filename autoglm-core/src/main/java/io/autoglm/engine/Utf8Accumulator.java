package io.autoglm.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of token byte pieces into text. A token may end in the middle of a multi-byte
 * UTF-8 character; those trailing bytes are held until the next piece completes them.
 * Invalid sequences become U+FFFD. Not thread-safe.
 */
final class Utf8Accumulator {
    private byte[] pending = new byte[0];

    /** @param bytes the next piece @return the text of every character it completes */
    String append(byte[] bytes) {
        byte[] all;
        if (pending.length == 0) {
            all = bytes;
        } else {
            all = Arrays.copyOf(pending, pending.length + bytes.length);
            System.arraycopy(bytes, 0, all, pending.length, bytes.length);
        }
        int complete = completePrefixLength(all);
        pending = Arrays.copyOfRange(all, complete, all.length);
        return complete == 0 ? "" : new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /** @return text of any bytes still held (as replacement characters), clearing them */
    String flush() {
        String s = pending.length == 0 ? "" : new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return s;
    }

    /**
     * Length of the longest prefix that does not end inside an unfinished character. Only the last
     * three bytes can start an unfinished character.
     */
    static int completePrefixLength(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int v = b[n - back] & 0xFF;
            if ((v & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead
            }
            int need = (v & 0xE0) == 0xC0 ? 2 : (v & 0xF0) == 0xE0 ? 3 : (v & 0xF8) == 0xF0 ? 4 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
