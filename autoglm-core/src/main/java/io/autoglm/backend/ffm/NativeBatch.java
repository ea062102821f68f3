package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A {@code llama_batch} from {@code llama_batch_init(capacity, 0, 1)}: one sequence id per token,
 * written row by row. Its arrays are malloc'ed by llama.cpp and freed by {@link #free()}.
 */
final class NativeBatch {
    private final LlamaLibrary lib;
    private final MemorySegment batch;
    private final MemorySegment token;
    private final MemorySegment pos;
    private final MemorySegment logits;
    /** each row's {@code seq_id[i]} array (one int) */
    private final MemorySegment[] seqSlot;
    private final int capacity;
    private int size;
    private boolean freed;

    /**
     * @param lib the library
     * @param arena holds the 56-byte struct (the arrays are native heap)
     * @param capacity most tokens
     */
    NativeBatch(LlamaLibrary lib, Arena arena, int capacity) {
        this.lib = lib;
        this.capacity = capacity;
        try {
            this.batch = (MemorySegment) lib.batchInit.invokeExact((SegmentAllocator) arena, capacity, 0, 1);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
        this.token = Structs.Batch.token(batch).reinterpret(4L * capacity);
        this.pos = Structs.Batch.pos(batch).reinterpret(4L * capacity);
        this.logits = Structs.Batch.logits(batch).reinterpret(capacity);
        MemorySegment nSeq = Structs.Batch.nSeqId(batch).reinterpret(4L * capacity);
        MemorySegment seqIds = Structs.Batch.seqId(batch).reinterpret(ADDRESS.byteSize() * capacity);
        this.seqSlot = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            nSeq.setAtIndex(JAVA_INT, i, 1);
            seqSlot[i] = seqIds.getAtIndex(ADDRESS, i).reinterpret(4);
        }
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** @return the row index */
    int add(int tok, int position, int sequence, boolean wantLogits) {
        int i = size;
        if (i >= capacity) {
            throw new IllegalStateException("batch is full (" + capacity + " tokens)");
        }
        token.setAtIndex(JAVA_INT, i, tok);
        pos.setAtIndex(JAVA_INT, i, position);
        seqSlot[i].set(JAVA_INT, 0, sequence);
        logits.set(JAVA_BYTE, i, (byte) (wantLogits ? 1 : 0));
        size = i + 1;
        return i;
    }

    /** @return the struct to pass by value, with {@code n_tokens} set to the rows added */
    MemorySegment struct() {
        Structs.Batch.nTokens(batch, size);
        return batch;
    }

    void free() {
        if (!freed) {
            freed = true;
            try {
                lib.batchFree.invokeExact(batch);
            } catch (Throwable t) {
                throw LlamaLibrary.rethrow(t);
            }
        }
    }
}
