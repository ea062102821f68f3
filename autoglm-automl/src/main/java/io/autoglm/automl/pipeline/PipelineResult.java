package io.autoglm.automl.pipeline;

import java.util.Objects;

/**
 * Output and report of one pipeline run.
 *
 * @param <O> output type
 */
public final class PipelineResult<O> {
    private final O output;
    private final PipelineReport report;
    private final Throwable failure;

    PipelineResult(O output, PipelineReport report, Throwable failure) {
        this.output = output;
        this.report = Objects.requireNonNull(report);
        this.failure = failure;
    }

    /** @return whether every stage succeeded */
    public boolean succeeded() {
        return report.status() == PipelineReport.Status.SUCCEEDED;
    }

    /**
     * @return the last stage's output
     * @throws IllegalStateException if the run did not succeed (its cause is the stage's last error)
     */
    public O output() {
        if (!succeeded()) {
            throw new IllegalStateException("pipeline '" + report.pipeline() + "' " + report.status()
                    + "; see report()", failure);
        }
        return output;
    }

    /** @return the run's report */
    public PipelineReport report() {
        return report;
    }

    @Override
    public String toString() {
        return "PipelineResult[" + report.pipeline() + " " + report.status() + "]";
    }
}
