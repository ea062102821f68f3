package io.autoglm.backend.jni;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import io.autoglm.AutoGLMException;
import io.autoglm.ChatMessage;
import io.autoglm.ContextOverflowException;
import io.autoglm.LogitsConsumer;
import io.autoglm.ModelLoadException;
import io.autoglm.SamplingParams;
import io.autoglm.Capability;
import io.autoglm.backend.SerialBackendModel;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.ModelSpec;
import io.autoglm.backend.TokenSink;
import io.autoglm.internal.BundledLibrary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model served by de.kherud:llama's own API ({@link LlamaModel}). The binding runs llama.cpp's
 * server loop on a native thread it owns, so every decode of the context runs on that one thread.
 * See {@link JniBackend} for what the binding cannot do and how this class works around it.
 */
final class JniModel implements SerialBackendModel {
    private static final Logger LOG = LoggerFactory.getLogger(JniModel.class);
    private static final List<String> EOG_TEXTS = List.of("</s>", "<|endoftext|>", "<|eot_id|>", "<|eom_id|>",
            "<|im_end|>", "<|end|>", "<end_of_turn>", "<EOT>", "<|end_of_text|>", "<|END_OF_TURN_TOKEN|>");

    private final ModelSpec spec;
    private final LlamaModel model;
    /** No batching, logits, logprobs, logit bias, per-request templates or raw special tokens (docs/jni-backend.md). */
    private static final Set<Capability> CAPABILITIES = java.util.Collections.unmodifiableSet(
            java.util.EnumSet.of(Capability.EMBEDDINGS, Capability.GRAMMAR));

    private final GgufPeek meta;
    private final int contextSize;
    private final int vocabSize;
    private final String effectiveTemplate;
    private final Set<Integer> eog = new HashSet<>();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    private volatile boolean closing;
    private PieceIndex pieces;
    private final Map<Integer, Boolean> eogProbed = new HashMap<>();

    private JniModel(ModelSpec spec, LlamaModel model, GgufPeek meta) {
        this.spec = spec;
        this.model = model;
        this.meta = meta;
        this.contextSize = effectiveContext(spec, meta);
        this.vocabSize = (int) meta.tokenCount();
        String own = meta.stringValue("tokenizer.chat_template");
        this.effectiveTemplate = spec.chatTemplate() != null ? spec.chatTemplate() : own != null ? own : "chatml";
        for (String k : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            long id = meta.longValue(k, -1);
            if (id >= 0 && id < vocabSize) {
                eog.add((int) id);
            }
        }
    }

    /**
     * The context llama.cpp gives a {@code llama_context} for this spec (what FFM reports): the requested
     * size, or the trained length, padded to a multiple of 32 (b4916's KV-cache padding without flash
     * attention).
     */
    static int effectiveContext(ModelSpec spec, GgufPeek meta) {
        long n = spec.contextSize() > 0 ? spec.contextSize() : meta.contextLength();
        n = (n + 31) / 32 * 32;
        return (int) Math.min(Integer.MAX_VALUE - 64, Math.max(32, n));
    }

    static JniModel load(ModelSpec spec) {
        Objects.requireNonNull(spec, "spec");
        GgufPeek meta = GgufPeek.read(spec.path());
        if (meta.tokenCount() <= 0) {
            throw new ModelLoadException(spec.path() + " has no tokenizer.ggml.tokens: the JNI backend needs a vocabulary");
        }
        JniNative.init();
        ModelParameters p = new ModelParameters()
                .setModel(spec.path().toAbsolutePath().toString())
                .setThreads(spec.threads())
                .setThreadsBatch(spec.threads())
                // one position more than FFM's context: llama.cpp's server refuses to decode into the last
                // position of its context, FFM does not; the limit itself is enforced here
                .setCtxSize(effectiveContext(spec, meta) + 1)
                .setBatchSize(spec.batchSize())
                .setParallel(1)
                .disableContextShift()
                .skipWarmup()
                .enableSpecial()
                .disableLog();
        if (spec.effectiveGpuLayers() > 0) {
            p.setGpuLayers(spec.effectiveGpuLayers()); // on a CPU-only build llama.cpp prints a warning to stderr
        }
        if (spec.chatTemplate() != null) {
            p.setChatTemplate(spec.chatTemplate());
        }
        if (spec.embeddings()) {
            p.enableEmbedding();
            // ModelParameters.setPoolingType passes the enum's number, which llama.cpp's argument parser rejects
            // (the binding then returns without a model). Mean pooling hits GGML_ASSERT(ggml_can_mul_mat) in
            // b4916's server path (only the last position is an output there) and aborts the JVM: use last-token
            // pooling, which that path supports.
            JniNative.cli(p).put("--pooling", "last");
        }
        if (spec.progress() != null) {
            spec.progress().onProgress(0f);
        }
        Set<Thread> before = JniNative.liveThreads();
        LlamaModel m;
        long t0 = System.nanoTime();
        try {
            m = new LlamaModel(p);
        } catch (RuntimeException e) {
            if (!JniNative.isBindingError(e)) {
                throw e;
            }
            throw new ModelLoadException("de.kherud:llama could not load " + spec.path() + ": " + e.getMessage(), e);
        } finally {
            JniNative.routeLogs();
        }
        if (JniNative.handle(m) == 0) {
            // the binding returns without a model when llama.cpp's argument parser rejects a parameter
            throw new ModelLoadException("de.kherud:llama rejected the load parameters for " + spec.path() + ": "
                    + Arrays.toString(p.toArray()));
        }
        Thread server = JniNative.findServerThread(before);
        if (server != null) {
            JniNative.registerLeakedThread(server);
        } else {
            LOG.warn("could not find de.kherud's server thread; the JVM may not exit by itself after main returns");
        }
        if (spec.progress() != null) {
            spec.progress().onProgress(1f);
        }
        LOG.info("loaded {} through de.kherud:llama JNI in {} ms", spec.path(), (System.nanoTime() - t0) / 1_000_000);
        return new JniModel(spec, m, meta);
    }

    private void ensureOpen() {
        if (closed || closing) {
            throw new IllegalStateException("closed: " + this);
        }
    }

    private void enter() {
        lock.lock();
        if (closed || closing) {
            lock.unlock();
            throw new IllegalStateException("closed: " + this);
        }
    }

    @Override
    public String backendName() {
        return "jni";
    }

    @Override
    public String nativeLibrary() {
        return BundledLibrary.path() + " (llama.cpp " + BundledLibrary.LLAMA_BUILD + " via de.kherud:llama "
                + BundledLibrary.KHERUD_VERSION + " JNI)";
    }

    @Override
    public int contextSize() {
        ensureOpen();
        return contextSize;
    }

    @Override
    public int vocabSize() {
        ensureOpen();
        return vocabSize;
    }

    @Override
    public int embeddingLength() {
        ensureOpen();
        return (int) meta.embeddingLength();
    }

    /**
     * The binding's tokenizer always parses special-token text and never adds BOS/EOS itself; both
     * flags are emulated here: BOS/EOS come from the model's metadata, and special-token text is
     * only recognised when asked (otherwise such tokens are rejected rather than silently merged).
     */
    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        enter();
        try {
            int[] body = text.isEmpty() ? new int[0] : model.encode(text);
            if (!parseSpecial) {
                PieceIndex idx = index();
                for (int t : body) {
                    if (isControlLike(idx, t)) {
                        throw new UnsupportedOperationException("the JNI backend cannot tokenize special-token text"
                                + " literally (parseSpecial=false): the text contains '" + idx.lossy(t)
                                + "'; use the ffm backend");
                    }
                }
            }
            if (!addSpecial) {
                return body;
            }
            // llama.cpp's defaults: SPM/BERT vocabularies add BOS (BERT: CLS) unless the file says otherwise,
            // BERT also appends SEP; BPE vocabularies add nothing unless the file asks
            String tm = meta.tokenizerModel();
            boolean bert = tm.equals("bert");
            boolean addBos = meta.boolValue("tokenizer.ggml.add_bos_token", tm.equals("llama") || bert);
            boolean addEos = meta.boolValue("tokenizer.ggml.add_eos_token", false);
            long bos = meta.longValue("tokenizer.ggml.bos_token_id", -1);
            long eos = bert ? meta.longValue("tokenizer.ggml.seperator_token_id", -1)
                    : meta.longValue("tokenizer.ggml.eos_token_id", -1);
            addEos = addEos || bert;
            int n = body.length + (addBos && bos >= 0 ? 1 : 0) + (addEos && eos >= 0 ? 1 : 0);
            int[] out = new int[n];
            int i = 0;
            if (addBos && bos >= 0) {
                out[i++] = (int) bos;
            }
            System.arraycopy(body, 0, out, i, body.length);
            if (addEos && eos >= 0) {
                out[n - 1] = (int) eos;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    private boolean isControlLike(PieceIndex idx, int t) {
        String s = idx.lossy(t);
        return s.length() > 2 && ((s.startsWith("<") && s.endsWith(">") && !s.startsWith("<0x"))
                || (s.startsWith("[") && s.endsWith("]"))) && (eog.contains(t) || isSpecialId(t));
    }

    private boolean isSpecialId(int t) {
        for (String k : List.of("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id",
                "tokenizer.ggml.padding_token_id")) {
            if (meta.longValue(k, -1) == t) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] tokenBytes(int token) {
        enter();
        try {
            checkToken(token);
            return index().piece(token);
        } finally {
            lock.unlock();
        }
    }

    private void checkToken(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token must be in [0, " + vocabSize + "), was " + token);
        }
    }

    private PieceIndex index() {
        if (pieces == null) {
            long t0 = System.nanoTime();
            pieces = new PieceIndex(vocabSize, id -> JniNative.decodeBytes(model, new int[] {id}));
            LOG.debug("token piece index of {} tokens built in {} ms", vocabSize, (System.nanoTime() - t0) / 1_000_000);
        }
        return pieces;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        enter();
        try {
            checkToken(token);
            if (eog.contains(token)) {
                return true;
            }
            String text = index().lossy(token);
            if (!EOG_TEXTS.contains(text)) {
                return false;
            }
            return eogProbed.computeIfAbsent(token, this::probeEog);
        } finally {
            lock.unlock();
        }
    }

    /** Forces the token twice in a row: the server stops after the first one when it is end-of-generation. */
    private boolean probeEog(int token) {
        InferenceParameters ip = request(new int[] {token}, 2, SamplingParams.greedy(), false, null);
        JniNative.json(ip).put("logit_bias", "[[" + token + ", 1000000000.0]]");
        String out = model.complete(ip);
        String once = index().lossy(token);
        boolean result = out.equals(once) && !once.isEmpty();
        if (result) {
            eog.add(token);
        }
        return result;
    }

    @Override
    public boolean isControl(int token) {
        checkToken(token);
        return meta.isControl(token);
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public boolean isVocabularyThreadSafe() {
        return false;
    }

    @Override
    public Optional<String> chatTemplate() {
        ensureOpen();
        return Optional.ofNullable(meta.stringValue("tokenizer.chat_template"));
    }

    /**
     * The binding renders chat prompts only with the template fixed at load time (the spec's
     * template, else the model's own, else {@code chatml}); other templates are rejected.
     */
    @Override
    public String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistant) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(messages, "messages");
        if (!template.equals(effectiveTemplate)) {
            throw new IllegalArgumentException("the JNI backend can only apply the chat template fixed at load time ("
                    + (effectiveTemplate.length() > 40 ? "the model's or the spec's template" : effectiveTemplate)
                    + "); load the model with chatTemplate(" + (template.length() > 40 ? "<template>" : template)
                    + ") or use the ffm backend");
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        StringBuilder sb = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = Objects.requireNonNull(messages.get(i), "messages[" + i + "]");
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("{\"role\": ").append(Json.quote(m.role())).append(", \"content\": ").append(Json.quote(m.content()))
                    .append('}');
        }
        sb.append("], \"add_generation_prompt\": ").append(addAssistant).append('}');
        enter();
        try {
            return model.applyTemplate(sb.toString());
        } finally {
            lock.unlock();
        }
    }

    private InferenceParameters request(int[] prompt, int nPredict, SamplingParams s, boolean ignoreEos, String grammar) {
        InferenceParameters ip = new InferenceParameters("");
        Map<String, String> j = JniNative.json(ip);
        j.put("prompt", Json.ints(prompt));
        j.put("n_predict", Integer.toString(nPredict));
        j.put("cache_prompt", "true");
        j.put("n_probs", "0");
        j.put("ignore_eos", Boolean.toString(ignoreEos));
        j.put("seed", Long.toString(s.seed()));
        if (s.isGreedy()) {
            j.put("temperature", "0.0");
            j.put("top_k", "1");
            j.put("top_p", "1.0");
            j.put("min_p", "0.0");
            j.put("repeat_penalty", "1.0");
            j.put("frequency_penalty", "0.0");
            j.put("presence_penalty", "0.0");
        } else {
            j.put("temperature", Json.num(s.temperature()));
            j.put("top_k", Integer.toString(s.topK()));
            j.put("top_p", Json.num(s.topP()));
            j.put("min_p", Json.num(s.minP()));
            j.put("repeat_penalty", Json.num(s.repeatPenalty()));
            j.put("repeat_last_n", Integer.toString(s.repeatLastN()));
            j.put("frequency_penalty", Json.num(s.frequencyPenalty()));
            j.put("presence_penalty", Json.num(s.presencePenalty()));
        }
        j.put("typical_p", "1.0");
        j.put("xtc_probability", "0.0");
        j.put("dry_multiplier", "0.0");
        if (grammar != null) {
            j.put("grammar", Json.quote(grammar));
        }
        return ip;
    }

    @Override
    public GenerationResult generate(GenerationSpec gs, TokenSink sink) {
        Objects.requireNonNull(gs, "spec");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(gs.prompt(), "spec.prompt");
        Objects.requireNonNull(gs.sampling(), "spec.sampling");
        if (gs.prompt().length == 0) {
            throw new IllegalArgumentException("prompt must not be empty");
        }
        if (gs.maxTokens() < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0, was " + gs.maxTokens());
        }
        if (gs.prompt().length > contextSize) {
            throw new ContextOverflowException(gs.prompt().length, contextSize);
        }
        if (gs.grammar() != null) {
            GbnfCheck.validate(gs.grammar());
        }
        enter();
        try {
            for (int t : gs.prompt()) {
                checkToken(t);
            }
            if (gs.maxTokens() == 0) {
                return new GenerationResult(gs.prompt().length, 0, 0, 0, GenerationResult.End.LENGTH);
            }
            return new Generation(gs, sink).run();
        } catch (RuntimeException e) {
            if (!JniNative.isBindingError(e)) {
                throw e;
            }
            if (gs.grammar() != null && e.getMessage() != null && e.getMessage().contains("grammar")) {
                throw new IllegalArgumentException("invalid GBNF grammar: " + e.getMessage(), e);
            }
            throw new AutoGLMException("de.kherud:llama generation failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** One generation: streams from the binding, maps chunks to token ids, resolves ambiguities. */
    private final class Generation {
        private final GenerationSpec gs;
        private final TokenSink sink;
        private final PieceIndex idx = index();
        private final int max;
        private final List<Integer> generated = new ArrayList<>();
        private byte[] tail = new byte[0];
        private final boolean canProbe;

        Generation(GenerationSpec gs, TokenSink sink) {
            this.gs = gs;
            this.sink = sink;
            // as on FFM (and in the server), the token sampled when the context is full is still generated
            this.max = Math.min(gs.maxTokens(), contextSize - gs.prompt().length + 1);
            this.canProbe = gs.sampling().isGreedy() && gs.grammar() == null;
        }

        GenerationResult run() {
            // forget the previous state: the next request then evaluates the whole prompt afresh, as
            // the contract asks, while still caching what it generates for the disambiguation probes
            InferenceParameters reset = request(new int[] {gs.prompt()[0]}, 1, SamplingParams.greedy(), false, null);
            JniNative.json(reset).put("cache_prompt", "false");
            model.complete(reset);

            long t0 = System.nanoTime();
            long tFirst = -1;
            GenerationResult.End end = null;
            boolean restart = true;
            while (end == null && restart) {
                restart = false;
                // the server is never asked to ignore EOS (it would ban the token): with ignoreEos the stream
                // is restarted after an end-of-generation token, which then counts as generated, as on FFM
                InferenceParameters ip = request(context(), max - generated.size(), gs.sampling(), false, gs.grammar());
                LlamaIterator it = model.generate(ip).iterator();
                List<String> pending = new ArrayList<>();
                boolean streamDone = false;
                boolean lastEog = false;
                while (end == null) {
                    String chunk;
                    if (!pending.isEmpty()) {
                        chunk = pending.remove(0);
                    } else if (!streamDone && it.hasNext()) {
                        LlamaOutput out = it.next();
                        if (!it.hasNext()) {
                            streamDone = true;
                            continue; // the final message carries no text in stream mode
                        }
                        chunk = out.text;
                        if (tFirst < 0) {
                            tFirst = System.nanoTime();
                        }
                    } else {
                        break;
                    }
                    if (closing) {
                        if (!streamDone) {
                            it.cancel();
                            streamDone = true;
                        }
                        end = GenerationResult.End.SINK_STOPPED;
                        break;
                    }
                    List<int[]> seqs = idx.segmentations(tail, chunk);
                    int[] ids;
                    if (seqs.size() == 1) {
                        ids = seqs.get(0);
                    } else {
                        if (!streamDone && canProbe) {
                            // the server has one slot: let the stream finish, then probe
                            while (it.hasNext()) {
                                LlamaOutput o = it.next();
                                if (it.hasNext()) {
                                    pending.add(o.text);
                                }
                            }
                            streamDone = true;
                        }
                        ids = resolve(seqs, chunk);
                    }
                    for (int id : ids) {
                        boolean eogToken = isEog(id);
                        if (eogToken && !gs.ignoreEos()) {
                            end = GenerationResult.End.END_OF_GENERATION;
                            break;
                        }
                        lastEog = eogToken;
                        generated.add(id);
                        tail = PieceIndex.lastBytes(PieceIndex.join(tail, idx.pieceUnsafe(id)));
                        if (!sink.accept(id)) {
                            end = GenerationResult.End.SINK_STOPPED;
                            break;
                        }
                        if (generated.size() >= max) {
                            break;
                        }
                    }
                    if (end == GenerationResult.End.SINK_STOPPED && !streamDone) {
                        it.cancel();
                        streamDone = true;
                    }
                    if (end == null && generated.size() >= max) {
                        end = max < gs.maxTokens() ? GenerationResult.End.CONTEXT_FULL : GenerationResult.End.LENGTH;
                    }
                }
                if (!streamDone) {
                    it.cancel();
                }
                if (end == null) {
                    if (lastEog && gs.ignoreEos()) {
                        restart = true;
                    } else {
                        // the stream ended early without an end-of-generation token: the server withholds
                        // tokens that leave the text in a cut UTF-8 sequence when it stops at its limit
                        end = recoverTail();
                    }
                }
            }
            long t1 = System.nanoTime();
            double promptMs = tFirst < 0 ? (t1 - t0) / 1e6 : (tFirst - t0) / 1e6;
            double decodeMs = tFirst < 0 ? 0 : (t1 - tFirst) / 1e6;
            return new GenerationResult(gs.prompt().length, generated.size(), promptMs, decodeMs, end);
        }

        /** @return the prompt followed by the tokens generated so far */
        private int[] context() {
            int[] p = Arrays.copyOf(gs.prompt(), gs.prompt().length + generated.size());
            for (int i = 0; i < generated.size(); i++) {
                p[gs.prompt().length + i] = generated.get(i);
            }
            return p;
        }

        private boolean isEog(int id) {
            return eog.contains(id) || (EOG_TEXTS.contains(idx.lossy(id)) && eogProbed.computeIfAbsent(id, JniModel.this::probeEog));
        }

        private GenerationResult.End recoverTail() {
            while (generated.size() < max) {
                int id;
                if (canProbe) {
                    String u = probe(new int[0]);
                    int[] cands = idx.idsWithLossyText(u);
                    id = pick(cands, u);
                } else {
                    LOG.debug("JNI backend: {} trailing tokens withheld by the server cannot be recovered when sampling",
                            max - generated.size());
                    return GenerationResult.End.LENGTH;
                }
                if (id < 0) {
                    return GenerationResult.End.LENGTH;
                }
                if (!gs.ignoreEos() && isEog(id)) {
                    return GenerationResult.End.END_OF_GENERATION;
                }
                generated.add(id); // with ignoreEos an end-of-generation token is generated like any other
                tail = PieceIndex.lastBytes(PieceIndex.join(tail, idx.pieceUnsafe(id)));
                if (!sink.accept(id)) {
                    return GenerationResult.End.SINK_STOPPED;
                }
            }
            return max < gs.maxTokens() ? GenerationResult.End.CONTEXT_FULL : GenerationResult.End.LENGTH;
        }

        /** Chooses among token sequences that all render as the chunk. */
        private int[] resolve(List<int[]> seqs, String chunk) {
            if (seqs.isEmpty()) {
                LOG.warn("JNI backend: no token sequence renders as chunk '{}'; falling back to re-tokenizing it", chunk);
                return chunk.isEmpty() ? new int[0] : model.encode(chunk);
            }
            if (!canProbe) {
                return heuristic(seqs);
            }
            List<Integer> chosen = new ArrayList<>();
            List<int[]> live = new ArrayList<>(seqs);
            int depth = 0;
            while (true) {
                final int d = depth;
                live.removeIf(s -> s.length <= d && !prefixMatches(s, chosen));
                if (live.size() == 1 && live.get(0).length == chosen.size()) {
                    break;
                }
                Set<Integer> firsts = new java.util.LinkedHashSet<>();
                for (int[] s : live) {
                    if (s.length > d && prefixMatches(s, chosen)) {
                        firsts.add(s[d]);
                    }
                }
                if (firsts.isEmpty()) {
                    break;
                }
                int next;
                if (firsts.size() == 1) {
                    next = firsts.iterator().next();
                } else {
                    int[] extra = chosen.stream().mapToInt(Integer::intValue).toArray();
                    String u = probe(extra);
                    int[] cands = firsts.stream().filter(c -> idx.lossy(c).equals(u)).mapToInt(Integer::intValue).toArray();
                    next = cands.length == 0 ? firsts.iterator().next() : pickAmong(cands, u, extra);
                }
                chosen.add(next);
                depth++;
                final int n = chosen.size();
                live.removeIf(s -> s.length < n || !prefixMatches(s, chosen));
                boolean complete = live.stream().anyMatch(s -> s.length == n);
                boolean longer = live.stream().anyMatch(s -> s.length > n);
                if (complete && !longer) {
                    break;
                }
                if (live.isEmpty()) {
                    break;
                }
            }
            return chosen.stream().mapToInt(Integer::intValue).toArray();
        }

        private boolean prefixMatches(int[] s, List<Integer> prefix) {
            if (s.length < prefix.size()) {
                return false;
            }
            for (int i = 0; i < prefix.size(); i++) {
                if (s[i] != prefix.get(i)) {
                    return false;
                }
            }
            return true;
        }

        private int[] heuristic(List<int[]> seqs) {
            int[] best = seqs.get(0);
            for (int[] s : seqs) {
                if (s.length < best.length || (s.length == best.length && Arrays.compare(s, best) > 0)) {
                    best = s;
                }
            }
            LOG.debug("JNI backend: {} token sequences render the same text; chose {}", seqs.size(), Arrays.toString(best));
            return best;
        }

        private int pick(int[] cands, String u) {
            if (cands.length == 0) {
                return -1;
            }
            return cands.length == 1 ? cands[0] : pickAmong(cands, u, new int[0]);
        }

        /** Greedy only: bans each candidate in turn; the one whose ban changes the output is the argmax. */
        private int pickAmong(int[] cands, String u, int[] extra) {
            for (int c : cands) {
                String r = probe(extra, c);
                if (!r.equals(u)) {
                    return c;
                }
            }
            int best = cands[0];
            for (int c : cands) {
                best = Math.max(best, c);
            }
            LOG.debug("JNI backend: could not tell tokens {} apart; chose {}", Arrays.toString(cands), best);
            return best;
        }

        /** @return the text of the greedy next token after prompt + generated + extra, with optional bans */
        private String probe(int[] extra, int... banned) {
            int[] p = new int[gs.prompt().length + generated.size() + extra.length];
            System.arraycopy(gs.prompt(), 0, p, 0, gs.prompt().length);
            for (int i = 0; i < generated.size(); i++) {
                p[gs.prompt().length + i] = generated.get(i);
            }
            System.arraycopy(extra, 0, p, gs.prompt().length + generated.size(), extra.length);
            InferenceParameters ip = request(p, 1, SamplingParams.greedy(), false, null);
            if (banned.length > 0) {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < banned.length; i++) {
                    sb.append(i > 0 ? ", [" : "[").append(banned[i]).append(", false]");
                }
                JniNative.json(ip).put("logit_bias", sb.append(']').toString());
            }
            return model.complete(ip);
        }
    }

    /**
     * The text de.kherud's own non-streaming {@code complete()} returns for a greedy generation from
     * these prompt ids: the reference the recovered token ids are checked against in tests.
     */
    String referenceText(int[] prompt, int maxTokens) {
        enter();
        try {
            InferenceParameters ip = request(prompt, maxTokens, SamplingParams.greedy(), false, null);
            JniNative.json(ip).put("cache_prompt", "false");
            return model.complete(ip);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The binding can only embed text (it tokenizes with BOS and special-token parsing itself), and it
     * always L2-normalises pooled embeddings. Pooling is last-token (see {@link #load}). The tokens are rendered to text for it, without a
     * leading BOS (it adds its own); {@code normalize=false} is not supported.
     */
    @Override
    public float[] embed(int[] tokens, boolean normalize) {
        Objects.requireNonNull(tokens, "tokens");
        if (!spec.embeddings()) {
            throw new IllegalStateException("the model was loaded without embeddings; load it with embeddings enabled");
        }
        if (!normalize) {
            throw new UnsupportedOperationException("the JNI backend only returns L2-normalised embeddings"
                    + " (de.kherud:llama normalises pooled embeddings); use normalize=true or the ffm backend");
        }
        if (tokens.length == 0) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        if (tokens.length > contextSize) {
            throw new IllegalArgumentException("tokens has " + tokens.length + " tokens, the context holds " + contextSize);
        }
        enter();
        try {
            for (int t : tokens) {
                checkToken(t);
            }
            long bos = meta.longValue("tokenizer.ggml.bos_token_id", -1);
            int from = tokens[0] == bos ? 1 : 0;
            byte[] text = JniNative.decodeBytes(model, Arrays.copyOfRange(tokens, from, tokens.length));
            String s = new String(text, StandardCharsets.UTF_8);
            if (meta.tokenizerModel().equals("llama") && meta.boolValue("tokenizer.ggml.add_space_prefix", true)
                    && s.startsWith(" ")) {
                s = s.substring(1); // the tokenizer adds the leading space again
            }
            return model.embed(s);
        } catch (RuntimeException e) {
            if (!JniNative.isBindingError(e)) {
                throw e;
            }
            throw new AutoGLMException("de.kherud:llama embedding failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void evaluate(int[] tokens, LogitsConsumer consumer) {
        ensureOpen();
        throw new UnsupportedOperationException("the JNI backend (de.kherud:llama) does not expose logits; use the ffm backend");
    }

    /**
     * Stops the binding's server loop. de.kherud:llama 4.2.0 frees no native memory here (its delete
     * is commented out) and its server thread stays attached to the JVM; see {@link JniBackend}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closing = true;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            model.close();
            LOG.debug("closed {}", this);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "JniModel[" + spec.path().getFileName() + "]";
    }
}
