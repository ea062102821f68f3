/** AutoGLM automl: the exception root shared by the automl packages. */
package io.autoglm.automl;
