package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.TokenStream;
import io.autoglm.backend.BackendModel;
import io.autoglm.engine.EngineAccess;
import io.autoglm.internal.BundledLibrary;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.fixtures.Gcc;
import io.autoglm.testing.fixtures.TestModels;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FfmDiagnostics} hands the backend's own context to native code on the decode thread: the C greedy loop of
 * {@code native/greedy_inproc.c} (the in-process floor of autoglm-bench), run on that context, produces exactly the
 * tokens the FFM backend's loop produces, on both ABI generations. Needs gcc (a failure with {@code CI=true}).
 */
class FfmDiagnosticsTest {
    private static final int TOKENS = 40;

    @TempDir
    static Path dir;
    static MethodHandle init;
    static MethodHandle run;
    static MethodHandle error;

    @BeforeAll
    static void build() {
        Path lib = dir.resolve("libgreedy_inproc.so");
        Gcc.compile(List.of("-O2", "-Wall", "-fPIC", "-shared", "-o", lib.toString(),
                TestModels.projectRoot().resolve("native/greedy_inproc.c").toString(), "-ldl"), "native/greedy_inproc.c");
        Linker linker = Linker.nativeLinker();
        SymbolLookup l = SymbolLookup.libraryLookup(lib, Arena.global());
        init = linker.downcallHandle(l.findOrThrow("greedy_inproc_init"), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        run = linker.downcallHandle(l.findOrThrow("greedy_inproc_run"), FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        error = linker.downcallHandle(l.findOrThrow("greedy_inproc_error"), FunctionDescriptor.of(ValueLayout.ADDRESS));
    }

    private static LanguageModel load(Path nativeLibrary, int threads) {
        AutoGLM.Builder b = AutoGLM.builder().model(TestModels.stories260K()).threads(threads).contextSize(512).parallel(1)
                .prefixCache(false).embeddings(false).maxQueuedRequests(4);
        if (nativeLibrary != null) {
            b.nativeLibrary(nativeLibrary);
        }
        return b.build();
    }

    private static int[] javaLoop(LanguageModel m, int[] prompt, int tokens) {
        return m.complete(CompletionRequest.builder().promptTokens(prompt).maxTokens(tokens).ignoreEos(true).build()).tokens();
    }

    private static void assertCLoopOnTheBackendsContextMatchesTheJavaLoop(Path nativeLibrary, Path expectedLibrary) {
        for (int threads : new int[] {1, 2}) {
            try (LanguageModel m = load(nativeLibrary, threads); Arena arena = Arena.ofShared()) {
                int[] prompt = m.tokenize("Once upon a time", true, false);
                List<Integer> javaIds = Arrays.stream(javaLoop(m, prompt, TOKENS)).boxed().toList();

                MemorySegment promptSeg = arena.allocateFrom(ValueLayout.JAVA_INT, prompt);
                MemorySegment out = arena.allocate(ValueLayout.JAVA_INT, TOKENS);
                String[] thread = new String[1];
                double rate = EngineAccess.runExclusive(m, b -> FfmDiagnostics.withContext(b, (ctx, vocab, library) -> {
                    thread[0] = Thread.currentThread().getName();
                    assertThat(ctx).isNotEqualTo(MemorySegment.NULL);
                    assertThat(vocab).isNotEqualTo(MemorySegment.NULL);
                    assertThat(library).isEqualTo(expectedLibrary);
                    int rc = (int) init.invokeExact(arena.allocateFrom(library.toString()));
                    assertThat(rc).as("greedy_inproc_init: %s", message()).isZero();
                    return (double) run.invokeExact(ctx, promptSeg, prompt.length, TOKENS, out);
                }));
                assertThat(rate).as("greedy_inproc_run: %s", message()).isPositive();
                assertThat(thread[0]).startsWith("autoglm-engine-");
                assertThat(Arrays.stream(out.toArray(ValueLayout.JAVA_INT)).boxed().toList())
                        .as("C loop on the backend's context, %d threads", threads).isEqualTo(javaIds);

                // the KV memory was cleared around the call and the model still works after it
                assertThat(Arrays.stream(javaLoop(m, prompt, TOKENS)).boxed().toList()).isEqualTo(javaIds);
            }
        }
    }

    private static String message() {
        try {
            return ((MemorySegment) error.invokeExact()).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return String.valueOf(t);
        }
    }

    @Test
    void b4916_cLoopOnTheBackendsContext_givesTheSameTokens() {
        assertCLoopOnTheBackendsContextMatchesTheJavaLoop(null, BundledLibrary.path());
    }

    @Test
    void current_cLoopOnTheBackendsContext_givesTheSameTokens() {
        Path lib = CurrentLlama.libllama();
        assertCLoopOnTheBackendsContextMatchesTheJavaLoop(CurrentLlama.folder(), FfmBackend.library(lib).path);
    }

    @Test
    void exclusiveCall_waitsForTheRunningGeneration_whichKeepsItsTokens() throws Exception {
        try (LanguageModel m = load(null, 1)) {
            int[] prompt = m.tokenize("Once upon a time", true, false);
            int[] expected = javaLoop(m, prompt, 60);
            try (TokenStream s = m.stream(CompletionRequest.builder().promptTokens(prompt).maxTokens(60).ignoreEos(true).build())) {
                assertThat(s.hasNext()).isTrue(); // the generation holds a sequence now
                int seven = EngineAccess.runExclusive(m, b -> FfmDiagnostics.withContext(b, (c, v, l) -> 7));
                assertThat(seven).isEqualTo(7);
                assertThat(s.result().tokens()).containsExactly(expected);
            }
        }
    }

    @Test
    void otherModels_otherThreads_closedModels_andThrowingCalls_areRefusedClearly() {
        BackendModel notFfm = (BackendModel) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BackendModel.class},
                (p, method, args) -> null);
        assertThatThrownBy(() -> FfmDiagnostics.withContext(notFfm, (c, v, l) -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a model of the FFM backend");
        LanguageModel m = load(null, 1);
        BackendModel backend = EngineAccess.runExclusive(m, b -> b);
        assertThatThrownBy(() -> FfmDiagnostics.withContext(backend, (c, v, l) -> 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("confined");
        assertThatThrownBy(() -> EngineAccess.runExclusive(m, b -> FfmDiagnostics.withContext(b, (c, v, l) -> {
            throw new IllegalStateException("boom");
        }))).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        int seven = EngineAccess.runExclusive(m, b -> FfmDiagnostics.withContext(b, (c, v, l) -> 7));
        assertThat(seven).isEqualTo(7);
        m.close();
        assertThatThrownBy(() -> EngineAccess.runExclusive(m, b -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
