package io.autoglm;

/** Told of model-loading progress, from 0 to 1. */
@FunctionalInterface
public interface LoadProgressListener {
    /** @param fraction progress in [0, 1] */
    void onProgress(float fraction);
}
