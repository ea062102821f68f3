package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shim's compile-time adaptation, one header shape at a time: {@code native/shim/autoglm_shim.cpp} is
 * compiled against three synthetic {@code llama.h} files that differ the way real releases do (b4916's
 * {@code llama_kv_self_*}, {@code use_mmap}, bool {@code flash_attn} and four-argument penalties; the 2026
 * {@code llama_memory_*}, {@code load_mode}, {@code flash_attn_type}, {@code kv_unified},
 * {@code n_outputs_max_per_seq} and {@code n_vocab} penalties; and llama.rn's {@code lm_ggml_} prefix), and
 * linked against a fake libllama of the same header that records what reaches it. Each stable shim function
 * must reach the right llama.cpp function with the right values. Needs g++.
 */
class ShimHeaderAdaptationTest {
    @TempDir
    Path dir;

    /** A header shape. */
    enum Shape {
        B4916(false, false, false, false, false, "ggml_"),
        CURRENT_2026(true, true, true, true, true, "ggml_"),
        LLAMA_RN(true, true, true, false, false, "lm_ggml_");

        final boolean memoryApi;
        final boolean loadMode;
        final boolean kvUnifiedAndFaType;
        final boolean outputsPerSeq;
        final boolean penaltiesNVocab;
        final String g;

        Shape(boolean memoryApi, boolean loadMode, boolean kvUnifiedAndFaType, boolean outputsPerSeq, boolean penaltiesNVocab,
                String g) {
            this.memoryApi = memoryApi;
            this.loadMode = loadMode;
            this.kvUnifiedAndFaType = kvUnifiedAndFaType;
            this.outputsPerSeq = outputsPerSeq;
            this.penaltiesNVocab = penaltiesNVocab;
            this.g = g;
        }
    }

    static String header(Shape s) {
        String g = s.g;
        String gu = g.toUpperCase();
        StringBuilder h = new StringBuilder();
        h.append("#pragma once\n#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n");
        h.append("#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
        h.append("#define ").append(gu).append("API\n");
        h.append("typedef struct ").append(g).append("threadpool * ").append(g).append("threadpool_t;\n");
        h.append("struct ").append(g).append("threadpool_params { bool cpumask[512]; int n_threads; int prio; uint32_t poll; bool strict_cpu; bool paused; };\n");
        h.append("struct ").append(g).append("threadpool_params ").append(g).append("threadpool_params_default(int n_threads);\n");
        h.append("typedef struct ").append(g).append("backend_device * ").append(g).append("backend_dev_t;\n");
        h.append("typedef struct ").append(g).append("backend_reg * ").append(g).append("backend_reg_t;\n");
        h.append("enum ").append(g).append("backend_dev_type { ").append(gu).append("BACKEND_DEVICE_TYPE_CPU, ").append(gu)
                .append("BACKEND_DEVICE_TYPE_GPU };\n");
        h.append(g).append("backend_dev_t ").append(g).append("backend_dev_by_type(enum ").append(g).append("backend_dev_type t);\n");
        h.append(g).append("backend_reg_t ").append(g).append("backend_dev_backend_reg(").append(g).append("backend_dev_t d);\n");
        h.append("void * ").append(g).append("backend_reg_get_proc_address(").append(g).append("backend_reg_t r, const char * name);\n");
        h.append("void ").append(g).append("backend_load_all_from_path(const char * dir);\n");
        h.append("size_t ").append(g).append("backend_dev_count(void);\n");
        h.append("""
                typedef int32_t llama_token; typedef int32_t llama_pos; typedef int32_t llama_seq_id;
                struct llama_model; struct llama_context; struct llama_vocab; struct llama_sampler;
                typedef bool (*llama_progress_callback)(float progress, void * user_data);
                enum llama_pooling_type { LLAMA_POOLING_TYPE_UNSPECIFIED = -1, LLAMA_POOLING_TYPE_NONE = 0, LLAMA_POOLING_TYPE_MEAN = 1 };
                """);
        if (s.loadMode) {
            h.append("enum llama_load_mode { LLAMA_LOAD_MODE_AUTO = -1, LLAMA_LOAD_MODE_NONE = 0, LLAMA_LOAD_MODE_MMAP = 1 };\n");
        }
        if (s.kvUnifiedAndFaType) {
            h.append("enum llama_flash_attn_type { LLAMA_FLASH_ATTN_TYPE_AUTO = -1, LLAMA_FLASH_ATTN_TYPE_DISABLED = 0, LLAMA_FLASH_ATTN_TYPE_ENABLED = 1 };\n");
        }
        h.append("struct llama_model_params { void * devices; int32_t n_gpu_layers; ")
                .append(s.loadMode ? "enum llama_load_mode load_mode; " : "")
                .append("llama_progress_callback progress_callback; void * progress_callback_user_data; bool vocab_only; ")
                .append(s.loadMode ? "" : "bool use_mmap; bool use_mlock; ").append("bool check_tensors; };\n");
        h.append("struct llama_context_params { uint32_t n_ctx; uint32_t n_batch; uint32_t n_ubatch; uint32_t n_seq_max; ")
                .append(s.outputsPerSeq ? "uint32_t n_outputs_max_per_seq; " : "")
                .append("int32_t n_threads; int32_t n_threads_batch; enum llama_pooling_type pooling_type; ")
                .append(s.kvUnifiedAndFaType ? "enum llama_flash_attn_type flash_attn_type; " : "")
                .append(s.kvUnifiedAndFaType ? "" : "bool logits_all; ").append("bool embeddings; bool offload_kqv; ")
                .append(s.kvUnifiedAndFaType ? "" : "bool flash_attn; ").append("bool no_perf; ")
                .append(s.kvUnifiedAndFaType ? "bool kv_unified; " : "").append("};\n");
        h.append("""
                typedef struct llama_batch { int32_t n_tokens; llama_token * token; float * embd; llama_pos * pos; int32_t * n_seq_id;
                    llama_seq_id ** seq_id; int8_t * logits; } llama_batch;
                struct llama_model_params llama_model_default_params(void);
                struct llama_context_params llama_context_default_params(void);
                struct llama_model * llama_model_load_from_file(const char * path, struct llama_model_params params);
                void llama_model_free(struct llama_model * model);
                struct llama_context * llama_init_from_model(struct llama_model * model, struct llama_context_params params);
                void llama_free(struct llama_context * ctx);
                int32_t llama_decode(struct llama_context * ctx, struct llama_batch batch);
                int32_t llama_encode(struct llama_context * ctx, struct llama_batch batch);
                """);
        h.append("void llama_attach_threadpool(struct llama_context * ctx, ").append(g).append("threadpool_t a, ").append(g)
                .append("threadpool_t b);\nvoid llama_detach_threadpool(struct llama_context * ctx);\n");
        if (s.memoryApi) {
            h.append("""
                    typedef struct llama_memory_i * llama_memory_t;
                    llama_memory_t llama_get_memory(const struct llama_context * ctx);
                    void llama_memory_clear(llama_memory_t mem, bool data);
                    bool llama_memory_seq_rm(llama_memory_t mem, llama_seq_id seq, llama_pos p0, llama_pos p1);
                    void llama_memory_seq_cp(llama_memory_t mem, llama_seq_id src, llama_seq_id dst, llama_pos p0, llama_pos p1);
                    """);
        } else {
            h.append("""
                    void llama_kv_self_clear(struct llama_context * ctx);
                    bool llama_kv_self_seq_rm(struct llama_context * ctx, llama_seq_id seq, llama_pos p0, llama_pos p1);
                    void llama_kv_self_seq_cp(struct llama_context * ctx, llama_seq_id src, llama_seq_id dst, llama_pos p0, llama_pos p1);
                    """);
        }
        h.append(s.penaltiesNVocab
                ? "struct llama_sampler * llama_sampler_init_penalties(int32_t n_vocab, int32_t last_n, float r, float f, float p);\n"
                : "struct llama_sampler * llama_sampler_init_penalties(int32_t last_n, float r, float f, float p);\n");
        h.append("#ifdef __cplusplus\n}\n#endif\n");
        return h.toString();
    }

    /** a fake libllama of that header: every call appends a line to fake_log() */
    static String fake(Shape s) {
        String g = s.g;
        StringBuilder c = new StringBuilder("""
                #include "llama.h"
                #include <stdarg.h>
                #include <stdio.h>
                #include <string.h>
                static char buf[8192];
                static void note(const char * fmt, ...) {
                    size_t n = strlen(buf); va_list ap; va_start(ap, fmt);
                    vsnprintf(buf + n, sizeof buf - n, fmt, ap); va_end(ap);
                    strncat(buf, "\\n", sizeof buf - strlen(buf) - 1);
                }
                const char * fake_log(void) { return buf; }
                void fake_log_reset(void) { buf[0] = 0; }
                static struct llama_context * the_ctx = (struct llama_context *) 0x7000;
                """);
        c.append("struct ").append(g).append("threadpool_params ").append(g).append("threadpool_params_default(int n) {\n")
                .append("  struct ").append(g).append("threadpool_params p; memset(&p, 0, sizeof p); p.n_threads = n; return p; }\n");
        c.append("static ").append(g).append("threadpool_t tp_new(struct ").append(g).append("threadpool_params * p) { note(\"tp_new %d\", p->n_threads); return (")
                .append(g).append("threadpool_t) 0x3000; }\n");
        c.append("static void tp_free(").append(g).append("threadpool_t t) { note(\"tp_free %p\", (void *) t); }\n");
        c.append(g).append("backend_dev_t ").append(g).append("backend_dev_by_type(enum ").append(g)
                .append("backend_dev_type t) { return t == 0 ? (").append(g).append("backend_dev_t) 0x10 : 0; }\n");
        c.append(g).append("backend_reg_t ").append(g).append("backend_dev_backend_reg(").append(g).append("backend_dev_t d) { return (")
                .append(g).append("backend_reg_t) 0x20; }\n");
        c.append("void * ").append(g).append("backend_reg_get_proc_address(").append(g).append("backend_reg_t r, const char * name) {\n")
                .append("  if (strcmp(name, \"").append(g).append("threadpool_new\") == 0) return (void *) tp_new;\n")
                .append("  if (strcmp(name, \"").append(g).append("threadpool_free\") == 0) return (void *) tp_free;\n")
                .append("  return 0; }\n");
        c.append("void ").append(g).append("backend_load_all_from_path(const char * dir) { note(\"load_all %s\", dir); }\n");
        c.append("size_t ").append(g).append("backend_dev_count(void) { return 1; }\n");
        c.append("""
                struct llama_model_params llama_model_default_params(void) {
                    struct llama_model_params p; memset(&p, 0, sizeof p); p.n_gpu_layers = -1; %s return p; }
                struct llama_context_params llama_context_default_params(void) {
                    struct llama_context_params p; memset(&p, 0, sizeof p); p.n_ctx = 512; %s return p; }
                struct llama_model * llama_model_load_from_file(const char * path, struct llama_model_params p) {
                    note("load %%s gpu=%%d vocab_only=%%d mmap=%%d progress=%%d", path, p.n_gpu_layers, p.vocab_only, %s,
                         p.progress_callback != 0);
                    return (struct llama_model *) 0x6000; }
                void llama_model_free(struct llama_model * m) { note("model_free %%p", (void *) m); }
                struct llama_context * llama_init_from_model(struct llama_model * m, struct llama_context_params p) {
                    note("context n_ctx=%%u n_batch=%%u n_ubatch=%%u n_seq_max=%%u threads=%%d/%%d pooling=%%d embeddings=%%d no_perf=%%d fa=%%d%s",
                         p.n_ctx, p.n_batch, p.n_ubatch, p.n_seq_max, p.n_threads, p.n_threads_batch, (int) p.pooling_type,
                         p.embeddings, p.no_perf, %s%s);
                    return the_ctx; }
                void llama_free(struct llama_context * c) { note("free %%p", (void *) c); }
                static int32_t batch_note(const char * what, struct llama_batch b) {
                    note("%%s n=%%d tok=%%d,%%d pos=%%d,%%d seq=%%d,%%d nseq=%%d,%%d logits=%%d,%%d embd=%%p", what, b.n_tokens, b.token[0],
                         b.token[b.n_tokens - 1], b.pos[0], b.pos[b.n_tokens - 1], b.seq_id[0][0], b.seq_id[b.n_tokens - 1][0],
                         b.n_seq_id[0], b.n_seq_id[b.n_tokens - 1], b.logits[0], b.logits[b.n_tokens - 1], (void *) b.embd);
                    return b.n_tokens == 3 ? 1 : 0; }
                int32_t llama_decode(struct llama_context * c, struct llama_batch b) { return batch_note("decode", b); }
                int32_t llama_encode(struct llama_context * c, struct llama_batch b) { return batch_note("encode", b); }
                """.formatted(
                        s.loadMode ? "p.load_mode = LLAMA_LOAD_MODE_AUTO;" : "p.use_mmap = true;",
                        (s.kvUnifiedAndFaType ? "p.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;" : "p.flash_attn = true; p.logits_all = true;")
                                + (s.outputsPerSeq ? " p.n_outputs_max_per_seq = 1;" : ""),
                        s.loadMode ? "(int) p.load_mode" : "(int) p.use_mmap",
                        (s.kvUnifiedAndFaType ? " kv_unified=%d" : " logits_all=%d") + (s.outputsPerSeq ? " per_seq=%u" : ""),
                        s.kvUnifiedAndFaType ? "(int) p.flash_attn_type, p.kv_unified" : "(int) p.flash_attn, p.logits_all",
                        s.outputsPerSeq ? ", p.n_outputs_max_per_seq" : ""));
        c.append("void llama_attach_threadpool(struct llama_context * c, ").append(g).append("threadpool_t a, ").append(g)
                .append("threadpool_t b) { note(\"attach %p %p\", (void *) a, (void *) b); }\n");
        c.append("void llama_detach_threadpool(struct llama_context * c) { note(\"detach\"); }\n");
        if (s.memoryApi) {
            c.append("""
                    llama_memory_t llama_get_memory(const struct llama_context * c) { return (llama_memory_t) 0x8000; }
                    void llama_memory_clear(llama_memory_t m, bool data) { note("memory_clear %p data=%d", (void *) m, data); }
                    bool llama_memory_seq_rm(llama_memory_t m, llama_seq_id s, llama_pos a, llama_pos b) {
                        note("memory_seq_rm %p %d %d %d", (void *) m, s, a, b); return a != 7; }
                    void llama_memory_seq_cp(llama_memory_t m, llama_seq_id s, llama_seq_id d, llama_pos a, llama_pos b) {
                        note("memory_seq_cp %p %d %d %d %d", (void *) m, s, d, a, b); }
                    """);
        } else {
            c.append("""
                    void llama_kv_self_clear(struct llama_context * c) { note("kv_self_clear %p", (void *) c); }
                    bool llama_kv_self_seq_rm(struct llama_context * c, llama_seq_id s, llama_pos a, llama_pos b) {
                        note("kv_self_seq_rm %p %d %d %d", (void *) c, s, a, b); return a != 7; }
                    void llama_kv_self_seq_cp(struct llama_context * c, llama_seq_id s, llama_seq_id d, llama_pos a, llama_pos b) {
                        note("kv_self_seq_cp %p %d %d %d %d", (void *) c, s, d, a, b); }
                    """);
        }
        c.append(s.penaltiesNVocab
                ? "struct llama_sampler * llama_sampler_init_penalties(int32_t v, int32_t n, float r, float f, float p) {\n"
                        + "  note(\"penalties n_vocab=%d last_n=%d %.2f %.2f %.2f\", v, n, r, f, p); return (struct llama_sampler *) 0x9000; }\n"
                : "struct llama_sampler * llama_sampler_init_penalties(int32_t n, float r, float f, float p) {\n"
                        + "  note(\"penalties last_n=%d %.2f %.2f %.2f\", n, r, f, p); return (struct llama_sampler *) 0x9000; }\n");
        return c.toString();
    }

    private static void run(List<String> cmd, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s timed out", what).isTrue();
        assertThat(p.exitValue()).as("%s: %s", what, out).isZero();
    }

    private static boolean gxx() {
        try {
            Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One stable function of the shim, called through FFM. */
    private record Shim(SymbolLookup lookup, SymbolLookup fake) {
        MethodHandle h(String name, FunctionDescriptor fd) {
            return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd);
        }

        String log() throws Throwable {
            MethodHandle f = Linker.nativeLinker().downcallHandle(fake.find("fake_log").orElseThrow(), FunctionDescriptor.of(ADDRESS));
            MethodHandle r = Linker.nativeLinker().downcallHandle(fake.find("fake_log_reset").orElseThrow(), FunctionDescriptor.ofVoid());
            String s = ((MemorySegment) f.invokeExact()).reinterpret(8192).getString(0, StandardCharsets.UTF_8);
            r.invokeExact();
            return s;
        }

        String string(String fn) throws Throwable {
            return ((MemorySegment) h(fn, FunctionDescriptor.of(ADDRESS)).invokeExact()).reinterpret(4096).getString(0);
        }
    }

    private Shim build(Shape s) throws Exception {
        Fixtures.require(gxx(), "g++ (on the PATH)", "install g++ (apt-get install g++; .ci/setup-gcc.sh does)");
        Path d = Files.createDirectories(dir.resolve(s.name()));
        Files.writeString(d.resolve("llama.h"), header(s));
        Files.writeString(d.resolve("fake_llama.c"), fake(s));
        Path lib = d.resolve("libllama.so");
        run(List.of("gcc", "-shared", "-fPIC", "-Wall", "-Werror", "-o", lib.toString(), d.resolve("fake_llama.c").toString(),
                "-I", d.toString()), "fake libllama (" + s + ")");
        Path shim = d.resolve("libautoglm_shim.so");
        // the one command of docs/native-seam.md, against this header
        run(List.of("g++", "-std=c++17", "-O2", "-Wall", "-Werror", "-fPIC", "-shared", "-o", shim.toString(),
                TestModels.projectRoot().resolve("native/shim/autoglm_shim.cpp").toString(), "-I", d.toString(), lib.toString(),
                "-Wl,-rpath,$ORIGIN", "-DAUTOGLM_LLAMA_RELEASE=\"fake-" + s.name() + "\""), "shim against the " + s + " header");
        Arena global = Arena.global();
        return new Shim(SymbolLookup.libraryLookup(shim, global), SymbolLookup.libraryLookup(lib, global));
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void everyStableFunction_reachesTheRightLlamaFunctionWithTheRightValues(Shape s) throws Throwable {
        Shim shim = build(s);
        assertThat(shim.string("autoglm_shim_llama_release")).isEqualTo("fake-" + s.name());
        assertThat(shim.string("autoglm_shim_llama_path")).endsWith(s.name() + "/libllama.so");
        String features = shim.string("autoglm_shim_features");
        assertThat(features).contains(s.memoryApi ? "memory=llama_memory_*" : "memory=llama_kv_self_*")
                .contains(s.loadMode ? "load=load_mode" : "load=use_mmap")
                .contains(s.kvUnifiedAndFaType ? "flash_attn=flash_attn_type" : "flash_attn=bool")
                .contains(s.penaltiesNVocab ? "penalties(n_vocab, ...)" : "penalties(last_n, ...)")
                .contains("ggml prefix " + s.g);
        shim.log();

        try (Arena a = Arena.ofConfined()) {
            long devices = (long) shim.h("autoglm_backend_load", FunctionDescriptor.of(JAVA_LONG, ADDRESS)).invokeExact(a.allocateFrom("/opt/x"));
            assertThat(devices).isEqualTo(1);
            assertThat(shim.log()).isEqualTo("load_all /opt/x\n");

            MemorySegment ms = a.allocate(AbiShim.ModelSettings.LAYOUT);
            AbiShim.ModelSettings.STRUCT_SIZE.set(ms, 0L, (int) AbiShim.ModelSettings.LAYOUT.byteSize());
            AbiShim.ModelSettings.N_GPU_LAYERS.set(ms, 0L, 7);
            AbiShim.ModelSettings.USE_MMAP.set(ms, 0L, 1);
            AbiShim.ModelSettings.VOCAB_ONLY.set(ms, 0L, 1);
            AbiShim.ModelSettings.PROGRESS.set(ms, 0L, MemorySegment.NULL);
            MethodHandle load = shim.h("autoglm_model_load", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            MemorySegment model = (MemorySegment) load.invokeExact(a.allocateFrom("m.gguf"), ms);
            assertThat(model.address()).isEqualTo(0x6000);
            assertThat(shim.log()).isEqualTo("load m.gguf gpu=7 vocab_only=1 mmap=1 progress=0\n");
            AbiShim.ModelSettings.USE_MMAP.set(ms, 0L, 0);
            MemorySegment unused = (MemorySegment) load.invokeExact(a.allocateFrom("m.gguf"), ms);
            assertThat(shim.log()).contains("mmap=0");
            AbiShim.ModelSettings.STRUCT_SIZE.set(ms, 0L, 8); // a caller that knows a smaller struct than v1's
            assertThat(((MemorySegment) load.invokeExact(a.allocateFrom("m.gguf"), ms)).address()).isZero();
            assertThat(shim.log()).isEmpty();

            MemorySegment cs = a.allocate(AbiShim.ContextSettings.LAYOUT);
            int[] values = {(int) AbiShim.ContextSettings.LAYOUT.byteSize(), 1024, 256, 64, 4, 3, 1, 1, 1, 0, 1, 0};
            String[] names = {"struct_size", "n_ctx", "n_batch", "n_ubatch", "n_seq_max", "n_threads", "pooling_type", "embeddings",
                "kv_unified", "flash_attn", "outputs_per_token", "reserved"};
            for (int i = 0; i < names.length; i++) {
                AbiShim.ContextSettings.set(cs, names[i], values[i]);
            }
            MethodHandle newCtx = shim.h("autoglm_context_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            MemorySegment ctx = (MemorySegment) newCtx.invokeExact(model, cs);
            assertThat(ctx.address()).isEqualTo(0x7000);
            String expected = "context n_ctx=1024 n_batch=256 n_ubatch=64 n_seq_max=4 threads=3/3 pooling=1 embeddings=1 no_perf=1 fa=0"
                    + (s.kvUnifiedAndFaType ? " kv_unified=1" : " logits_all=0") + (s.outputsPerSeq ? " per_seq=256" : "") + "\n";
            assertThat(shim.log()).isEqualTo(expected);

            MemorySegment tp = (MemorySegment) shim.h("autoglm_threadpool_new", FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(3);
            assertThat(tp.address()).isEqualTo(0x3000);
            shim.h("autoglm_threadpool_attach", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS)).invokeExact(ctx, tp);
            shim.h("autoglm_threadpool_detach", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(ctx);
            shim.h("autoglm_threadpool_free", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(tp);
            assertThat(shim.log()).isEqualTo("tp_new 3\nattach 0x3000 0x3000\ndetach\ntp_free 0x3000\n");
            MemorySegment none = (MemorySegment) shim.h("autoglm_threadpool_new", FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(1);
            assertThat(none.address()).isZero();

            String mem = s.memoryApi ? "memory_" : "kv_self_";
            String handle = s.memoryApi ? "0x8000" : "0x7000";
            shim.h("autoglm_memory_clear", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(ctx);
            MethodHandle rm = shim.h("autoglm_memory_seq_rm", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
            assertThat((int) rm.invokeExact(ctx, 2, 5, -1)).isEqualTo(1);
            assertThat((int) rm.invokeExact(ctx, 2, 7, 9)).isZero();
            shim.h("autoglm_memory_seq_cp", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT))
                    .invokeExact(ctx, 0, 3, 0, 12);
            assertThat(shim.log()).isEqualTo((s.memoryApi ? "memory_clear 0x8000 data=1\n" : "kv_self_clear 0x7000\n")
                    + mem + "seq_rm " + handle + " 2 5 -1\n" + mem + "seq_rm " + handle + " 2 7 9\n"
                    + mem + "seq_cp " + handle + " 0 3 0 12\n");

            MemorySegment arrays = a.allocate(AbiShim.BatchArrays.LAYOUT);
            MemorySegment batch = (MemorySegment) shim.h("autoglm_batch_new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS))
                    .invokeExact(4, arrays);
            MemorySegment tok = ((MemorySegment) AbiShim.BatchArrays.TOKEN.get(arrays, 0L)).reinterpret(16);
            MemorySegment pos = ((MemorySegment) AbiShim.BatchArrays.POS.get(arrays, 0L)).reinterpret(16);
            MemorySegment seq = ((MemorySegment) AbiShim.BatchArrays.SEQ.get(arrays, 0L)).reinterpret(16);
            MemorySegment logits = ((MemorySegment) AbiShim.BatchArrays.LOGITS.get(arrays, 0L)).reinterpret(4);
            assertThat(arrays.get(JAVA_INT, 32)).as("capacity").isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                tok.setAtIndex(JAVA_INT, i, 100 + i);
                pos.setAtIndex(JAVA_INT, i, 10 + i);
                seq.setAtIndex(JAVA_INT, i, i % 2);
                logits.set(JAVA_BYTE, i, (byte) (i == 3 || i == 1 ? 1 : 0));
            }
            MethodHandle decode = shim.h("autoglm_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            assertThat((int) decode.invokeExact(ctx, batch, 4)).isZero();
            assertThat((int) decode.invokeExact(ctx, batch, 3)).as("the library's 'no KV slot' passes through").isEqualTo(1);
            assertThat((int) decode.invokeExact(ctx, batch, 5)).as("more rows than the batch holds").isEqualTo(-100);
            assertThat((int) decode.invokeExact(ctx, batch, 0)).isEqualTo(-100);
            assertThat((int) shim.h("autoglm_encode", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT))
                    .invokeExact(ctx, batch, 2)).isZero();
            assertThat(shim.log()).isEqualTo(
                    "decode n=4 tok=100,103 pos=10,13 seq=0,1 nseq=1,1 logits=0,1 embd=(nil)\n"
                            + "decode n=3 tok=100,102 pos=10,12 seq=0,0 nseq=1,1 logits=0,0 embd=(nil)\n"
                            + "encode n=2 tok=100,101 pos=10,11 seq=0,1 nseq=1,1 logits=0,1 embd=(nil)\n");
            shim.h("autoglm_batch_free", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(batch);

            MemorySegment pen = (MemorySegment) shim.h("autoglm_sampler_penalties",
                    FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT))
                    .invokeExact(32000, 64, 1.5f, 0.25f, 0.5f);
            assertThat(pen.address()).isEqualTo(0x9000);
            assertThat(shim.log()).isEqualTo(s.penaltiesNVocab ? "penalties n_vocab=32000 last_n=64 1.50 0.25 0.50\n"
                    : "penalties last_n=64 1.50 0.25 0.50\n");

            shim.h("autoglm_context_free", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(ctx);
            shim.h("autoglm_model_free", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(model);
            assertThat(shim.log()).isEqualTo("free 0x7000\nmodel_free 0x6000\n");
        }
    }
}
