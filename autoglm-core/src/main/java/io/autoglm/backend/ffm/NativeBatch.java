package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A batch of tokens, one sequence id each, written row by row and decoded in one call. With a layout
 * generation it is a {@code llama_batch} from {@code llama_batch_init(capacity, 0, 1)} passed by value
 * to {@code llama_decode}; with the shim it is an {@code autoglm_batch} whose arrays the shim owns and
 * {@code autoglm_decode} turns into the release's {@code llama_batch}. Either way the native arrays are
 * freed by {@link #free()}.
 */
final class NativeBatch {
    private final LlamaLibrary lib;
    /** null: a llama_batch of a layout generation */
    private final AbiShim shim;
    /** the llama_batch struct, or the autoglm_batch pointer */
    private final MemorySegment batch;
    private final MemorySegment token;
    private final MemorySegment pos;
    private final MemorySegment logits;
    /** shim: one contiguous int per row; null otherwise */
    private final MemorySegment seq;
    /** layout generation: each row's {@code seq_id[i]} array (one int); null otherwise */
    private final MemorySegment[] seqSlot;
    private final int capacity;
    private int size;
    private boolean freed;

    /**
     * @param lib the library
     * @param arena holds the 56-byte struct, or the shim's array descriptor (the arrays are native heap)
     * @param capacity most tokens
     */
    NativeBatch(LlamaLibrary lib, Arena arena, int capacity) {
        this.lib = lib;
        this.capacity = capacity;
        if (lib.abi instanceof AbiShim s) {
            this.shim = s;
            MemorySegment arrays = arena.allocate(AbiShim.BatchArrays.LAYOUT);
            this.batch = s.newBatch(capacity, arrays);
            this.token = ((MemorySegment) AbiShim.BatchArrays.TOKEN.get(arrays, 0L)).reinterpret(4L * capacity);
            this.pos = ((MemorySegment) AbiShim.BatchArrays.POS.get(arrays, 0L)).reinterpret(4L * capacity);
            this.seq = ((MemorySegment) AbiShim.BatchArrays.SEQ.get(arrays, 0L)).reinterpret(4L * capacity);
            this.logits = ((MemorySegment) AbiShim.BatchArrays.LOGITS.get(arrays, 0L)).reinterpret(capacity);
            this.seqSlot = null;
            return;
        }
        this.shim = null;
        this.seq = null;
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
        if (seq != null) {
            seq.setAtIndex(JAVA_INT, i, sequence);
        } else {
            seqSlot[i].set(JAVA_INT, 0, sequence);
        }
        logits.set(JAVA_BYTE, i, (byte) (wantLogits ? 1 : 0));
        size = i + 1;
        return i;
    }

    /**
     * {@code llama_decode} of the rows added, in one native call.
     *
     * @return its code: 0 done, 1 no room in the KV memory, other values are errors
     */
    int decode(MemorySegment ctx) throws Throwable {
        if (shim != null) {
            return shim.decode(ctx, batch, size);
        }
        Structs.Batch.nTokens(batch, size);
        return (int) lib.decode.invokeExact(ctx, batch);
    }

    /** {@code llama_encode} of the rows added (encoder models); 0 when done. */
    int encode(MemorySegment ctx) throws Throwable {
        if (shim != null) {
            return shim.encode(ctx, batch, size);
        }
        Structs.Batch.nTokens(batch, size);
        return (int) lib.encode.invokeExact(ctx, batch);
    }

    void free() {
        if (!freed) {
            freed = true;
            if (shim != null) {
                shim.freeBatch(batch);
                return;
            }
            try {
                lib.batchFree.invokeExact(batch);
            } catch (Throwable t) {
                throw LlamaLibrary.rethrow(t);
            }
        }
    }
}
