/**
 * Cross-validation helpers: k-fold and stratified k-fold splits, and randomized or grid search of a
 * user's {@link io.autoglm.automl.cv.Learner} scored by cross-validation (scikit-learn's
 * RandomizedSearchCV / GridSearchCV), run as a {@link io.autoglm.automl.search.Study}.
 */
package io.autoglm.automl.cv;
