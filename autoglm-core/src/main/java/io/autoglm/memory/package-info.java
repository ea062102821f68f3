/**
 * Memory-aware precision: {@link io.autoglm.memory.MemoryProbe} measures the memory available to this
 * process, {@link io.autoglm.memory.PrecisionPlanner} picks the most precise weight type that fits a budget, and
 * {@link io.autoglm.memory.QuantizationProvider} is the service interface through which {@code autoglm-quant}
 * estimates sizes and writes quantized copies.
 */
package io.autoglm.memory;
