/**
 * The engine that serves a loaded model to many caller threads: request queue with back-pressure,
 * one worker per model, prompt preparation (tokenization, chat templates, context checks), stop
 * strings and incremental UTF-8 decoding above the backend. Not API: reached through
 * {@link io.autoglm.AutoGLM}.
 */
package io.autoglm.engine;
