/**
 * Benchmarks: JMH benchmarks and side-by-side comparison harnesses (not published). Each class's
 * Javadoc gives the command that runs it.
 */
package io.autoglm.bench;
