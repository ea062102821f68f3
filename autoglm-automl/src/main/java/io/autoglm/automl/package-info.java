/** AutoGLM automl: hyperparameter search, learning-rate schedules, training monitors and pipelines. */
package io.autoglm.automl;
