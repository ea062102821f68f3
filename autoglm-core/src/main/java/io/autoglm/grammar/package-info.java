/**
 * Structured output: a JSON Schema to llama.cpp GBNF compiler ({@link io.autoglm.grammar.JsonGrammars},
 * {@link io.autoglm.grammar.JsonGrammarCompiler}), forced tool calls with their parser
 * ({@link io.autoglm.grammar.ToolCallGrammar}), and a strict JSON reader and writer over plain Java
 * values ({@link io.autoglm.grammar.Json}). No JSON library is needed: schemas are
 * {@code Map}/{@code List}/{@code String}/{@code Number}/{@code Boolean}/{@code null} trees or JSON text.
 */
package io.autoglm.grammar;
