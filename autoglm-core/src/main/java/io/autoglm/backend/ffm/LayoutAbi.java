package io.autoglm.backend.ffm;

import io.autoglm.internal.BundledLibrary;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generation described by hand-written layouts of {@code llama_model_params} and
 * {@code llama_context_params}: the library's default params are read into them, patched with our
 * options and passed by value. Needs no compiler, so it serves the bundled library; but a layout fits
 * one exact release, which is why any other build goes through {@link AbiShim}.
 */
abstract sealed class LayoutAbi extends Abi permits AbiB4916, AbiCurrent {
    private final StructLayout modelParamsLayout;
    private final StructLayout contextParamsLayout;

    /**
     * @param generation the generation's name
     * @param modelParamsLayout its {@code struct llama_model_params}
     * @param contextParamsLayout its {@code struct llama_context_params}
     * @param measuredModelParams the default model params' size measured in the library, or -1
     * @param measuredContextParams the default context params' size measured in the library, or -1
     */
    LayoutAbi(String generation, StructLayout modelParamsLayout, StructLayout contextParamsLayout, long measuredModelParams,
            long measuredContextParams) {
        super(generation, measuredModelParams, measuredContextParams);
        this.modelParamsLayout = modelParamsLayout;
        this.contextParamsLayout = contextParamsLayout;
    }

    /** @return {@code struct llama_model_params} of this generation */
    final StructLayout modelParamsLayout() {
        return modelParamsLayout;
    }

    /** @return {@code struct llama_context_params} of this generation */
    final StructLayout contextParamsLayout() {
        return contextParamsLayout;
    }

    /** Patches library defaults (already in {@code params}) with our options. */
    abstract void configureModel(MemorySegment params, ModelOptions options);

    /** Patches library defaults (already in {@code params}) with our options. */
    abstract void configureContext(MemorySegment params, ContextOptions options);

    @Override
    String seam(Path library) {
        return generation().equals(AbiB4916.NAME) && isBundled(library) ? "bundled layout" : "known generation " + generation();
    }

    private static boolean isBundled(Path library) {
        try {
            return Files.isSameFile(library, BundledLibrary.path());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    final MemorySegment loadModel(LlamaLibrary lib, MemorySegment path, ModelOptions options) throws Throwable {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment params = (MemorySegment) lib.modelDefaultParams.invokeExact((SegmentAllocator) tmp);
            configureModel(params, options);
            return (MemorySegment) lib.modelLoadFromFile.invokeExact(path, params);
        }
    }

    @Override
    final MemorySegment newContext(LlamaLibrary lib, MemorySegment model, ContextOptions options) throws Throwable {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment params = (MemorySegment) lib.contextDefaultParams.invokeExact((SegmentAllocator) tmp);
            configureContext(params, options);
            return (MemorySegment) lib.initFromModel.invokeExact(model, params);
        }
    }
}
