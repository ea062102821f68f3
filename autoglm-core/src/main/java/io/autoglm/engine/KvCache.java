package io.autoglm.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;

/**
 * The engine's model of the native KV cache: which cells hold which sequence's tokens, and which
 * prefixes can be reused. Decode thread only.
 *
 * <p>It is a token trie in which every node is one KV cell: the node for a token at depth {@code d}
 * is the cell holding that token at position {@code d-1}, and a sequence is the path from the root
 * to its last decoded token. Decoding a token appends a new node (a new cell), even when a sibling
 * with the same token exists — two sequences that decoded the same text independently hold
 * distinct cells, and the trie says so. Sharing happens only through {@link #share}, the mirror of
 * llama.cpp's {@code seq_cp}: the target's path is the source's first nodes, each node counting
 * the sequences that reference it; a cell is free again when its count drops to zero. So the used
 * cell count is exact, and the longest cached prefix of a prompt is a walk down the trie.
 *
 * <p>Why a trie rather than hashes of fixed-size token blocks (vLLM's approach): llama.cpp shares
 * cells per position, not per block, so reuse is exact to the token, and a chat's next turn reuses
 * everything up to the first changed token; the walk costs one step per matched token, far less
 * than the decode it saves.
 *
 * <p>A sequence id is free, running (a request decodes on it) or cached (a finished request's cells
 * kept for reuse, evicted least recently used first).
 */
final class KvCache {
    /** One KV cell. */
    static final class Node {
        final int token;
        final Node parent;
        final int depth;
        int refs;
        /** sequences referencing this node that are running (not cached holders) */
        int runningRefs;
        ArrayList<Node> children;

        Node(int token, Node parent, int depth) {
            this.token = token;
            this.parent = parent;
            this.depth = depth;
        }
    }

    /** A reusable prefix: {@code length} tokens held by sequence {@code holder}. */
    record Match(int holder, int length) {
        static final Match NONE = new Match(-1, 0);
    }

    private enum State { FREE, RUNNING, CACHED }

    private final Node root = new Node(-1, null, 0);
    private final int cells;
    private final ArrayList<Node>[] paths;
    private final State[] state;
    private final LinkedHashSet<Integer> lru = new LinkedHashSet<>();
    private int used;
    private int cachedOnly;

    @SuppressWarnings("unchecked")
    KvCache(int cells, int sequenceIds) {
        this.cells = cells;
        this.paths = new ArrayList[sequenceIds];
        this.state = new State[sequenceIds];
        for (int i = 0; i < sequenceIds; i++) {
            paths[i] = new ArrayList<>();
            state[i] = State.FREE;
        }
    }

    int cells() {
        return cells;
    }

    /** @return cells in use */
    int used() {
        return used;
    }

    /** @return cells not in use */
    int free() {
        return cells - used;
    }

    /** @return cells referenced only by cached holders (reclaimable) */
    int cachedOnlyCells() {
        return cachedOnly;
    }

    /** @return cached holders */
    int cachedHolders() {
        return lru.size();
    }

    /** @return positions a sequence holds */
    int length(int seq) {
        return paths[seq].size();
    }

    /** @return a free sequence id, now running, or -1 when every id is running or cached */
    int acquire() {
        for (int i = 0; i < state.length; i++) {
            if (state[i] == State.FREE) {
                state[i] = State.RUNNING;
                return i;
            }
        }
        return -1;
    }

    /** @return the least recently used cached holder, or -1 */
    int leastRecentlyUsed() {
        return lru.isEmpty() ? -1 : lru.iterator().next();
    }

    /** Records that a running sequence decoded {@code token} at its next position (a new cell). */
    void append(int seq, int token) {
        ArrayList<Node> path = paths[seq];
        Node tail = path.isEmpty() ? root : path.get(path.size() - 1);
        Node n = new Node(token, tail, tail.depth + 1);
        n.refs = 1;
        n.runningRefs = 1;
        if (tail.children == null) {
            tail.children = new ArrayList<>(2);
        }
        tail.children.add(n);
        path.add(n);
        used++;
    }

    /** Records that running sequence {@code dst} (holding nothing) now shares the first {@code length} cells of {@code src}. */
    void share(int src, int dst, int length) {
        ArrayList<Node> from = paths[src];
        ArrayList<Node> to = paths[dst];
        if (!to.isEmpty() || length > from.size()) {
            throw new IllegalStateException("cannot share " + length + " cells of sequence " + src + " (" + from.size()
                    + " cells) with sequence " + dst + " (" + to.size() + " cells)");
        }
        for (int i = 0; i < length; i++) {
            Node n = from.get(i);
            n.refs++;
            if (n.runningRefs++ == 0) {
                cachedOnly--;
            }
            to.add(n);
        }
        touch(src);
    }

    /** Marks a finished running sequence as a cached holder: its cells stay, reusable and evictable. */
    void keepAsCache(int seq) {
        if (state[seq] != State.RUNNING) {
            throw new IllegalStateException("sequence " + seq + " is " + state[seq] + ", not running");
        }
        state[seq] = State.CACHED;
        for (Node n : paths[seq]) {
            if (--n.runningRefs == 0) {
                cachedOnly++;
            }
        }
        lru.add(seq);
    }

    /**
     * Records that all of a sequence's cells were removed natively ({@code seq_rm(seq, 0, -1)}); the id is free again.
     *
     * @return cells that became free
     */
    int release(int seq) {
        ArrayList<Node> path = paths[seq];
        boolean running = state[seq] == State.RUNNING;
        int freed = 0;
        for (int i = path.size() - 1; i >= 0; i--) {
            Node n = path.get(i);
            if (running) {
                n.runningRefs--;
            }
            if (--n.refs == 0) {
                if (!running) {
                    cachedOnly--; // its only reference was this cached holder
                }
                n.parent.children.remove(n);
                used--;
                freed++;
            } else if (running && n.runningRefs == 0) {
                cachedOnly++; // still held, but only by cached holders now
            }
        }
        path.clear();
        state[seq] = State.FREE;
        lru.remove(seq);
        return freed;
    }

    /**
     * Records that a running sequence's cells from position {@code length} on were removed natively
     * ({@code seq_rm(seq, length, -1)}); the sequence keeps its first {@code length} positions.
     *
     * @return cells that became free
     */
    int truncate(int seq, int length) {
        if (state[seq] != State.RUNNING) {
            throw new IllegalStateException("sequence " + seq + " is " + state[seq] + ", not running");
        }
        ArrayList<Node> path = paths[seq];
        int freed = 0;
        for (int i = path.size() - 1; i >= length; i--) {
            Node n = path.remove(i);
            n.runningRefs--;
            if (--n.refs == 0) {
                n.parent.children.remove(n);
                used--;
                freed++;
            } else if (n.runningRefs == 0) {
                cachedOnly++; // still held, but only by cached holders now
            }
        }
        return freed;
    }

    /** Moves a cached holder to the most recently used end. */
    void touch(int seq) {
        if (lru.remove(seq)) {
            lru.add(seq);
        }
    }

    /**
     * Finds the longest decoded prefix of {@code tokens}, at most {@code maxLength} long, that some
     * sequence (running or cached) holds.
     */
    Match longestPrefix(int[] tokens, int maxLength) {
        int limit = Math.min(maxLength, tokens.length);
        if (limit <= 0 || root.children == null) {
            return Match.NONE;
        }
        Node best = null;
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            if (best == null || n.depth > best.depth) {
                best = n;
            }
            if (n.depth == limit || n.children == null) {
                continue;
            }
            int t = tokens[n.depth];
            for (Node c : n.children) {
                if (c.token == t) {
                    stack.push(c);
                }
            }
        }
        if (best == null || best == root) {
            return Match.NONE;
        }
        int depth = best.depth;
        for (int s = 0; s < paths.length; s++) {
            ArrayList<Node> p = paths[s];
            if (p.size() >= depth && p.get(depth - 1) == best) {
                return new Match(s, depth);
            }
        }
        throw new IllegalStateException("no sequence holds a live cell at depth " + depth);
    }

    /** @return how many leading tokens two arrays share */
    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int m = Arrays.mismatch(a, 0, n, b, 0, n);
        return m < 0 ? n : m;
    }

    /** Forgets everything (after the native memory was cleared). */
    void reset() {
        for (int s = 0; s < paths.length; s++) {
            paths[s].clear();
            state[s] = State.FREE;
        }
        root.children = null;
        lru.clear();
        used = 0;
        cachedOnly = 0;
    }

    boolean isCached(int seq) {
        return state[seq] == State.CACHED;
    }
}
