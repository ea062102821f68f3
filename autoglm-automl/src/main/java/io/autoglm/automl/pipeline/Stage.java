package io.autoglm.automl.pipeline;

/**
 * One step of a {@link Pipeline}: turns an input of type {@code I} into an output of type {@code O}.
 * Throwing any exception fails the attempt (the pipeline may retry it); long stages should call
 * {@link StageContext#checkCancelled()} now and then.
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface Stage<I, O> {
    /**
     * @param input the previous stage's output (or the pipeline input)
     * @param context name, attempt number and cancellation of this run
     * @return the output handed to the next stage
     * @throws Exception to fail this attempt
     */
    O run(I input, StageContext context) throws Exception;
}
