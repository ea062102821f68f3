/** Runnable examples that use only the public API, one class per scenario. */
package io.autoglm.examples;
