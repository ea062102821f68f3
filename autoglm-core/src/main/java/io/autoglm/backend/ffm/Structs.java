package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * C structs whose layout is the same in every supported llama.cpp ABI generation (checked for b4916
 * and the current generation in {@code reference/llama-*-abi.md}). Generation-specific structs
 * (model/context params, perf data) live in the {@link Abi} subclasses.
 */
final class Structs {
    private Structs() {
    }

    /** @return the handle of member {@code name} of {@code layout} (coordinates: segment, base offset) */
    static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(PathElement.groupElement(name));
    }

    /**
     * {@code struct llama_perf_context_data}: every generation starts with these members; a generation
     * passes the members it appends as {@code tail}.
     */
    static StructLayout perfContextData(MemoryLayout... tail) {
        MemoryLayout[] head = {
            JAVA_DOUBLE.withName("t_start_ms"),
            JAVA_DOUBLE.withName("t_load_ms"),
            JAVA_DOUBLE.withName("t_p_eval_ms"),
            JAVA_DOUBLE.withName("t_eval_ms"),
            JAVA_INT.withName("n_p_eval"),
            JAVA_INT.withName("n_eval")};
        MemoryLayout[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return MemoryLayout.structLayout(all).withName("llama_perf_context_data");
    }

    /** {@code struct llama_batch}: 56 bytes, passed by value to {@code llama_decode}. */
    static final class Batch {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("n_tokens"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("token"),
                ADDRESS.withName("embd"),
                ADDRESS.withName("pos"),
                ADDRESS.withName("n_seq_id"),
                ADDRESS.withName("seq_id"),
                ADDRESS.withName("logits")).withName("llama_batch");
        static final VarHandle N_TOKENS = field(LAYOUT, "n_tokens");
        static final VarHandle TOKEN = field(LAYOUT, "token");
        static final VarHandle EMBD = field(LAYOUT, "embd");
        static final VarHandle POS = field(LAYOUT, "pos");
        static final VarHandle N_SEQ_ID = field(LAYOUT, "n_seq_id");
        static final VarHandle SEQ_ID = field(LAYOUT, "seq_id");
        static final VarHandle LOGITS = field(LAYOUT, "logits");

        private Batch() {
        }

        static int nTokens(MemorySegment b) {
            return (int) N_TOKENS.get(b, 0L);
        }

        static void nTokens(MemorySegment b, int n) {
            N_TOKENS.set(b, 0L, n);
        }

        static MemorySegment token(MemorySegment b) {
            return (MemorySegment) TOKEN.get(b, 0L);
        }

        static MemorySegment pos(MemorySegment b) {
            return (MemorySegment) POS.get(b, 0L);
        }

        static MemorySegment nSeqId(MemorySegment b) {
            return (MemorySegment) N_SEQ_ID.get(b, 0L);
        }

        static MemorySegment seqId(MemorySegment b) {
            return (MemorySegment) SEQ_ID.get(b, 0L);
        }

        static MemorySegment logits(MemorySegment b) {
            return (MemorySegment) LOGITS.get(b, 0L);
        }
    }

    /** {@code struct llama_sampler_chain_params}: one bool, passed by value. */
    static final class SamplerChainParams {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_BOOLEAN.withName("no_perf"))
                .withName("llama_sampler_chain_params");
        static final VarHandle NO_PERF = field(LAYOUT, "no_perf");

        private SamplerChainParams() {
        }
    }

    /** {@code struct llama_token_data}: 12 bytes. */
    static final class TokenData {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("id"), JAVA_FLOAT.withName("logit"), JAVA_FLOAT.withName("p")).withName("llama_token_data");

        private TokenData() {
        }
    }

    /** {@code struct llama_token_data_array}: 32 bytes, passed by pointer. */
    static final class TokenDataArray {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("data"),
                JAVA_LONG.withName("size"),
                JAVA_LONG.withName("selected"),
                JAVA_BOOLEAN.withName("sorted"),
                MemoryLayout.paddingLayout(7)).withName("llama_token_data_array");

        private TokenDataArray() {
        }
    }

    /** {@code struct llama_chat_message}: 16 bytes, two C strings. */
    static final class ChatMessage {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("role"), ADDRESS.withName("content")).withName("llama_chat_message");
        static final VarHandle ROLE = field(LAYOUT, "role");
        static final VarHandle CONTENT = field(LAYOUT, "content");

        private ChatMessage() {
        }
    }
}
