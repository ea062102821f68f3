package io.autoglm.backend.jni;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Maps the text the binding streams back to token ids. The binding's server sends, for each sampled
 * token, the token's piece (special tokens rendered) as soon as the generated text does not end in
 * a cut UTF-8 sequence; a chunk is therefore the pieces of one or more tokens, where every token
 * but the last left the text ending in an incomplete sequence. Java receives the chunk as a
 * {@code String} decoded with replacement, so bytes that are not valid UTF-8 arrive as U+FFFD.
 */
final class PieceIndex {
    private static final int MAX_SOLUTIONS = 64;
    private static final int MAX_DEPTH = 8;
    private static final int MAX_NODES = 200_000;
    private static final String REPLACEMENT = "\uFFFD";

    private final byte[][] pieces;
    private final String[] lossy;
    /** exact piece bytes (as ISO-8859-1 text, a lossless byte-to-char mapping) to ids */
    private final Map<String, int[]> byBytes = new HashMap<>();
    /** piece decoded as UTF-8 with replacement to ids */
    private final Map<String, int[]> byLossy = new HashMap<>();
    private final int maxPieceLength;

    PieceIndex(int vocabSize, IntFunction<byte[]> piece) {
        pieces = new byte[vocabSize][];
        lossy = new String[vocabSize];
        Map<String, List<Integer>> bb = new HashMap<>();
        Map<String, List<Integer>> bl = new HashMap<>();
        int max = 0;
        for (int id = 0; id < vocabSize; id++) {
            byte[] p = piece.apply(id);
            pieces[id] = p;
            lossy[id] = new String(p, StandardCharsets.UTF_8);
            max = Math.max(max, p.length);
            bb.computeIfAbsent(new String(p, StandardCharsets.ISO_8859_1), k -> new ArrayList<>()).add(id);
            bl.computeIfAbsent(lossy[id], k -> new ArrayList<>()).add(id);
        }
        bb.forEach((k, v) -> byBytes.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        bl.forEach((k, v) -> byLossy.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        maxPieceLength = max;
    }

    int size() {
        return pieces.length;
    }

    byte[] piece(int id) {
        return pieces[id].clone();
    }

    byte[] pieceUnsafe(int id) {
        return pieces[id];
    }

    String lossy(int id) {
        return lossy[id];
    }

    /** @return ids whose piece decodes (with replacement) to the text */
    int[] idsWithLossyText(String text) {
        int[] ids = byLossy.get(text);
        return ids == null ? new int[0] : ids;
    }

    /** A port of the server's validate_utf8: does the text end in a cut multi-byte sequence? */
    static boolean endsIncomplete(byte[] tail, int len) {
        for (int i = 1; i <= 4 && i <= len; i++) {
            int c = tail[len - i] & 0xFF;
            if ((c & 0xE0) == 0xC0) {
                if (i < 2) {
                    return true;
                }
            } else if ((c & 0xF0) == 0xE0) {
                if (i < 3) {
                    return true;
                }
            } else if ((c & 0xF8) == 0xF0) {
                if (i < 4) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * All token sequences that the server could have sent as this chunk.
     *
     * @param tail the last (up to 4) bytes of the text generated before the chunk
     * @param chunk the chunk as received
     * @return the possible token sequences (at most {@value #MAX_SOLUTIONS})
     */
    List<int[]> segmentations(byte[] tail, String chunk) {
        List<int[]> out = new ArrayList<>();
        int[] nodes = {0};
        if (!chunk.contains(REPLACEMENT)) {
            byte[] target = chunk.getBytes(StandardCharsets.UTF_8);
            exact(target, 0, tail, new int[MAX_DEPTH], 0, out, nodes);
        } else {
            int[] single = idsWithLossyText(chunk);
            for (int id : single) {
                if (!endsIncomplete(join(tail, pieces[id]), joinLength(tail, pieces[id]))) {
                    out.add(new int[] {id});
                }
            }
            if (out.isEmpty()) {
                lossyMulti(chunk, tail, new byte[0], new int[MAX_DEPTH], 0, out, nodes);
            }
        }
        return out;
    }

    private void exact(byte[] target, int pos, byte[] tail, int[] seq, int depth, List<int[]> out, int[] nodes) {
        if (depth >= MAX_DEPTH || out.size() >= MAX_SOLUTIONS || nodes[0]++ > MAX_NODES) {
            return;
        }
        int maxLen = Math.min(maxPieceLength, target.length - pos);
        for (int len = 0; len <= maxLen; len++) {
            int[] ids = byBytes.get(new String(target, pos, len, StandardCharsets.ISO_8859_1));
            if (ids == null) {
                continue;
            }
            for (int id : ids) {
                byte[] t = join(tail, pieces[id]);
                boolean incomplete = endsIncomplete(t, t.length);
                seq[depth] = id;
                if (!incomplete && pos + len == target.length) {
                    out.add(java.util.Arrays.copyOf(seq, depth + 1));
                } else if (incomplete && len > 0) {
                    // an empty piece inside a cut sequence is possible in theory but would make every such
                    // chunk ambiguous; the server's vocabularies do not produce it in practice
                    exact(target, pos + len, lastBytes(t), seq, depth + 1, out, nodes);
                }
                if (out.size() >= MAX_SOLUTIONS) {
                    return;
                }
            }
        }
    }

    /** Multi-token chunks containing invalid bytes: intermediate tokens must leave the text cut. */
    private void lossyMulti(String chunk, byte[] tail, byte[] acc, int[] seq, int depth, List<int[]> out, int[] nodes) {
        if (depth >= 4 || out.size() >= MAX_SOLUTIONS) {
            return;
        }
        for (int id = 0; id < pieces.length; id++) {
            if (nodes[0]++ > MAX_NODES) {
                return;
            }
            byte[] p = pieces[id];
            if (p.length == 0 || p.length > 4) {
                continue;
            }
            byte[] t = join(tail, p);
            boolean incomplete = endsIncomplete(t, t.length);
            byte[] acc2 = join(acc, p);
            seq[depth] = id;
            if (!incomplete) {
                if (depth > 0 && new String(acc2, StandardCharsets.UTF_8).equals(chunk)) {
                    out.add(java.util.Arrays.copyOf(seq, depth + 1));
                }
            } else {
                lossyMulti(chunk, lastBytes(t), acc2, seq, depth + 1, out, nodes);
            }
        }
    }

    static byte[] join(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static int joinLength(byte[] a, byte[] b) {
        return a.length + b.length;
    }

    static byte[] lastBytes(byte[] t) {
        return t.length <= 4 ? t : java.util.Arrays.copyOfRange(t, t.length - 4, t.length);
    }
}
