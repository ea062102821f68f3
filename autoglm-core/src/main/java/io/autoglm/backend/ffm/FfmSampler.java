package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.autoglm.GrammarException;
import io.autoglm.NativeException;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BatchDecoder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * One sequence's native sampler chain: logit bias, penalties, then greedy, or top-k, top-p, min-p,
 * temperature and a seeded distribution; plus, apart from the chain, a grammar. Built, used and
 * freed on the decode thread.
 *
 * <p>Why the grammar is kept apart: llama.cpp aborts the process when a grammar sampler accepts a
 * token while no token was allowed (a grammar that cannot go on from its state). So with a grammar,
 * sampling is done here step by step ({@code llama_sampler_apply} on the row's candidates, a check
 * that at least one candidate survived the grammar, then {@code llama_sampler_accept}) and a dead
 * end becomes a {@link GrammarException} for that request only.
 */
final class FfmSampler implements BatchDecoder.Sampler {
    private final LlamaLibrary lib;
    private final MemorySegment context;
    private final int nVocab;
    private MemorySegment chain;
    private MemorySegment grammar;
    /** with a grammar: llama_token_data[nVocab] and the llama_token_data_array pointing at it */
    private final Arena arena;
    private final MemorySegment candidates;
    private final MemorySegment candidateArray;

    private FfmSampler(LlamaLibrary lib, MemorySegment context, int nVocab, MemorySegment chain, MemorySegment grammar) {
        this.lib = lib;
        this.context = context;
        this.nVocab = nVocab;
        this.chain = chain;
        this.grammar = grammar;
        if (grammar.equals(MemorySegment.NULL)) {
            this.arena = null;
            this.candidates = null;
            this.candidateArray = null;
        } else {
            this.arena = Arena.ofConfined();
            this.candidates = arena.allocate(Structs.TokenData.LAYOUT, nVocab);
            this.candidateArray = arena.allocate(Structs.TokenDataArray.LAYOUT);
        }
    }

    /**
     * @param lib the library
     * @param context the {@code llama_context *} whose logits are sampled
     * @param vocab the vocabulary (grammars are compiled against it)
     * @param nVocab vocabulary size
     * @param nCtx the window penalties may look back over when {@code repeatLastN} is -1
     * @param p sampling parameters
     * @param grammarText GBNF text, or null
     * @return the chain
     * @throws IllegalArgumentException for a grammar llama.cpp rejects or a biased token outside the vocabulary
     */
    static FfmSampler create(LlamaLibrary lib, MemorySegment context, MemorySegment vocab, int nVocab, int nCtx,
            SamplingParams p, String grammarText) {
        for (int token : p.logitBias().keySet()) {
            if (token >= nVocab) {
                throw new IllegalArgumentException("logitBias token id must be in [0, " + nVocab + "), was " + token);
            }
        }
        MemorySegment g = grammarText == null ? MemorySegment.NULL : grammar(lib, vocab, grammarText);
        MemorySegment chain = MemorySegment.NULL;
        try {
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment cp = tmp.allocate(Structs.SamplerChainParams.LAYOUT);
                Structs.SamplerChainParams.NO_PERF.set(cp, 0L, true);
                chain = (MemorySegment) lib.samplerChainInit.invokeExact(cp);
            }
            if (!p.logitBias().isEmpty()) {
                add(lib, chain, logitBias(lib, nVocab, p.logitBias()));
            }
            if (p.hasPenalties()) {
                add(lib, chain, lib.abi.initPenalties(nVocab, p.repeatLastN() < 0 ? nCtx : p.repeatLastN(), p.repeatPenalty(),
                        p.frequencyPenalty(), p.presencePenalty()));
            }
            if (p.isGreedy()) {
                add(lib, chain, (MemorySegment) lib.samplerInitGreedy.invokeExact());
            } else {
                if (p.topK() > 0) {
                    add(lib, chain, (MemorySegment) lib.samplerInitTopK.invokeExact(p.topK()));
                }
                if (p.topP() < 1f) {
                    add(lib, chain, (MemorySegment) lib.samplerInitTopP.invokeExact(p.topP(), 1L));
                }
                if (p.minP() > 0f) {
                    add(lib, chain, (MemorySegment) lib.samplerInitMinP.invokeExact(p.minP(), 1L));
                }
                add(lib, chain, (MemorySegment) lib.samplerInitTemp.invokeExact(p.temperature()));
                add(lib, chain, (MemorySegment) lib.samplerInitDist.invokeExact((int) p.seed()));
            }
            return new FfmSampler(lib, context, nVocab, chain, g);
        } catch (Throwable t) {
            try {
                if (!chain.equals(MemorySegment.NULL)) {
                    lib.samplerFree.invokeExact(chain); // frees the samplers already added
                }
                if (!g.equals(MemorySegment.NULL)) {
                    lib.samplerFree.invokeExact(g);
                }
            } catch (Throwable suppressed) {
                t.addSuppressed(suppressed);
            }
            throw LlamaLibrary.rethrow(t);
        }
    }

    private static MemorySegment logitBias(LlamaLibrary lib, int nVocab, Map<Integer, Float> bias) throws Throwable {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment arr = tmp.allocate(8L * bias.size(), 4);
            int i = 0;
            for (Map.Entry<Integer, Float> e : bias.entrySet()) {
                arr.set(JAVA_INT, 8L * i, e.getKey());
                arr.set(JAVA_FLOAT, 8L * i + 4, e.getValue());
                i++;
            }
            // llama.cpp copies the array into the sampler
            return (MemorySegment) lib.samplerInitLogitBias.invokeExact(nVocab, bias.size(), arr);
        }
    }

    private static MemorySegment grammar(LlamaLibrary lib, MemorySegment vocab, String grammar) {
        try {
            MemorySegment g;
            try (Arena tmp = Arena.ofConfined()) {
                NativeLog.takeLastError();
                g = (MemorySegment) lib.samplerInitGrammar.invokeExact(vocab, tmp.allocateFrom(grammar), tmp.allocateFrom("root"));
            }
            if (!g.equals(MemorySegment.NULL) && !lib.abi.grammarAccepted(g, vocab)) {
                lib.samplerFree.invokeExact(g);
                g = MemorySegment.NULL;
            }
            if (g.equals(MemorySegment.NULL)) {
                String why = NativeLog.takeLastError();
                throw new GrammarException("grammar rejected by llama.cpp's GBNF parser"
                        + (why.isEmpty() ? "" : " (" + why + ")") + ": " + FfmVocab.abbreviate(grammar));
            }
            return g;
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    private static void add(LlamaLibrary lib, MemorySegment chain, MemorySegment sampler) throws Throwable {
        if (sampler.equals(MemorySegment.NULL)) {
            throw new NativeException("llama_sampler_init_*", "sampler for chain", 0);
        }
        lib.samplerChainAdd.invokeExact(chain, sampler);
    }

    @Override
    public int sample(int row) {
        MemorySegment c = chain;
        if (c == null) {
            throw new IllegalStateException("sampler is closed");
        }
        try {
            if (grammar.equals(MemorySegment.NULL)) {
                return (int) lib.samplerSample.invokeExact(c, context, row);
            }
            return sampleWithGrammar(c, row);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    private int sampleWithGrammar(MemorySegment c, int row) throws Throwable {
        MemorySegment logits = (MemorySegment) lib.getLogitsIth.invokeExact(context, row);
        if (logits.equals(MemorySegment.NULL)) {
            throw new NativeException("llama_get_logits_ith", "i=" + row, 0);
        }
        logits = logits.reinterpret(4L * nVocab);
        MemorySegment data = candidates;
        for (int i = 0; i < nVocab; i++) {
            long off = 12L * i;
            data.set(JAVA_INT, off, i);
            data.set(JAVA_FLOAT, off + 4, logits.getAtIndex(JAVA_FLOAT, i));
            data.set(JAVA_FLOAT, off + 8, 0f);
        }
        resetArray();
        lib.samplerApply.invokeExact(grammar, candidateArray);
        boolean any = false;
        long n = candidateArray.get(JAVA_LONG, 8);
        for (long i = 0; i < n && !any; i++) {
            any = data.get(JAVA_FLOAT, 12L * i + 4) != Float.NEGATIVE_INFINITY;
        }
        if (!any) {
            throw new GrammarException("the grammar allows no token at this point of the output (it cannot be completed from"
                    + " here); generation stopped");
        }
        lib.samplerApply.invokeExact(c, candidateArray);
        long selected = candidateArray.get(JAVA_LONG, 16);
        n = candidateArray.get(JAVA_LONG, 8);
        if (selected < 0 || selected >= n) {
            throw new NativeException("llama_sampler_apply", "selected index " + selected + " of " + n + " candidates", 0);
        }
        int token = data.get(JAVA_INT, 12L * selected);
        if (data.get(JAVA_FLOAT, 12L * selected + 4) == Float.NEGATIVE_INFINITY) {
            throw new GrammarException("the sampler chose a token the grammar does not allow (every allowed token was "
                    + "filtered out by the logit bias or truncation); generation stopped");
        }
        lib.samplerAccept.invokeExact(grammar, token);
        lib.samplerAccept.invokeExact(c, token);
        return token;
    }

    private void resetArray() {
        candidateArray.set(java.lang.foreign.ValueLayout.ADDRESS, 0, candidates);
        candidateArray.set(JAVA_LONG, 8, (long) nVocab);
        candidateArray.set(JAVA_LONG, 16, -1L);
        candidateArray.set(java.lang.foreign.ValueLayout.JAVA_BOOLEAN, 24, false);
    }

    @Override
    public void close() {
        MemorySegment c = chain;
        if (c == null) {
            return;
        }
        chain = null;
        try {
            lib.samplerFree.invokeExact(c);
            if (!grammar.equals(MemorySegment.NULL)) {
                MemorySegment g = grammar;
                grammar = MemorySegment.NULL;
                lib.samplerFree.invokeExact(g);
            }
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            if (arena != null) {
                arena.close();
            }
        }
    }
}
