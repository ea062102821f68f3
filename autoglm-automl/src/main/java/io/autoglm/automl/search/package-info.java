/** Define-by-run hyperparameter search: studies, trials, samplers, pruners. */
package io.autoglm.automl.search;
