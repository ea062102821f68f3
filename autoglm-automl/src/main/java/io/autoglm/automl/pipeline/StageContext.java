package io.autoglm.automl.pipeline;

import java.util.concurrent.CancellationException;

/**
 * What a running stage knows about its run.
 *
 * @param stageName the stage's name
 * @param attempt 1 for the first attempt, 2 for the first retry, ...
 * @param token the run's cancellation token
 */
public record StageContext(String stageName, int attempt, CancellationToken token) {

    /** @return whether the run was cancelled */
    public boolean isCancelled() {
        return token.isCancelled();
    }

    /** @throws CancellationException if the run was cancelled */
    public void checkCancelled() {
        if (token.isCancelled()) {
            throw new CancellationException("pipeline cancelled during stage '" + stageName + "'");
        }
    }
}
