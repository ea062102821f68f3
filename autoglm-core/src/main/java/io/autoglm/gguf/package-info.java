/** Bounds-checked GGUF reader and writer over memory-mapped files. */
package io.autoglm.gguf;
