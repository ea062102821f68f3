/**
 * The FFM backend: direct downcalls into the llama.cpp C API with {@code java.lang.foreign}. Not API.
 *
 * <p>Shape: {@link io.autoglm.backend.ffm.LlamaLibrary} holds the method handles of one loaded
 * library (one instance per library path); {@link io.autoglm.backend.ffm.Abi} describes what differs
 * between llama.cpp ABI generations (struct layouts, renamed or re-typed functions): hand-written
 * layouts for two generations ({@code LayoutAbi}: {@code AbiB4916}, the bundled library, and
 * {@code AbiCurrent}, llama.cpp 0.5.x) and, for any other build, {@code AbiShim}, which drives the
 * AutoGLM shim compiled against that build's own {@code llama.h} ({@code native/shim}); chosen by
 * {@code Abi.probe}. {@link io.autoglm.backend.ffm.Structs} holds the layouts that every
 * generation shares. No {@code MemorySegment} leaves this package. Every {@code llama_decode} of a
 * context runs on the one platform thread its model owns.
 */
package io.autoglm.backend.ffm;
