package io.autoglm.automl.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A typed chain of named stages (preprocess, train, evaluate, or any step) run in order, each stage's
 * output feeding the next. Every attempt is timed; a failing stage is retried up to its
 * {@code maxAttempts} (with an optional delay); a {@link CancellationToken} stops the run between
 * attempts and inside stages that check it. Each run returns a {@link PipelineResult} whose
 * {@link PipelineReport} records every attempt and serialises to JSON. A pipeline is immutable and
 * can be run many times, also concurrently.
 *
 * <pre>{@code
 * Pipeline<Path, Metrics> p = Pipeline.<Path>builder("digits")
 *         .stage("preprocess", (path, ctx) -> Dataset.load(path))
 *         .stage("train", 3, (data, ctx) -> Trainer.fit(data, ctx))
 *         .stage("evaluate", (model, ctx) -> model.evaluate())
 *         .build();
 * PipelineResult<Metrics> r = p.run(path);
 * System.out.println(r.report().toJson());
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class Pipeline<I, O> {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private record Spec(String name, int maxAttempts, Stage<Object, Object> stage) {
    }

    private final String name;
    private final List<Spec> specs;
    private final Duration retryDelay;

    private Pipeline(String name, List<Spec> specs, Duration retryDelay) {
        this.name = name;
        this.specs = List.copyOf(specs);
        this.retryDelay = retryDelay;
    }

    /**
     * @param name the pipeline's name, not blank
     * @param <I> the pipeline's input type
     * @return a builder with no stages
     */
    public static <I> Builder<I, I> builder(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return new Builder<>(name, new ArrayList<>(), Duration.ZERO);
    }

    /** @return the stage names, in order */
    public List<String> stageNames() {
        return specs.stream().map(Spec::name).toList();
    }

    /**
     * @param input the first stage's input
     * @return the result (never throws for a failing stage: see {@link PipelineResult#succeeded()})
     */
    public PipelineResult<O> run(I input) {
        return run(input, new CancellationToken());
    }

    /**
     * @param input the first stage's input
     * @param token cancels the run when set
     * @return the result
     */
    @SuppressWarnings("unchecked")
    public PipelineResult<O> run(I input, CancellationToken token) {
        Objects.requireNonNull(token, "token");
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<PipelineReport.StageReport> reports = new ArrayList<>();
        PipelineReport.Status runStatus = PipelineReport.Status.SUCCEEDED;
        Throwable failure = null;
        Object value = input;
        for (Spec spec : specs) {
            if (runStatus != PipelineReport.Status.SUCCEEDED) {
                reports.add(new PipelineReport.StageReport(spec.name(), PipelineReport.Status.SKIPPED,
                        spec.maxAttempts(), null, null, List.of()));
                continue;
            }
            List<PipelineReport.Attempt> attempts = new ArrayList<>();
            String inType = value == null ? null : value.getClass().getName();
            PipelineReport.Status stageStatus = PipelineReport.Status.FAILED;
            Object out = null;
            for (int a = 1; a <= spec.maxAttempts(); a++) {
                if (token.isCancelled()) {
                    stageStatus = PipelineReport.Status.CANCELLED;
                    failure = new CancellationException("pipeline '" + name + "' cancelled before stage '"
                            + spec.name() + "' attempt " + a);
                    break;
                }
                long s0 = System.nanoTime();
                try {
                    out = spec.stage().run(value, new StageContext(spec.name(), a, token));
                    attempts.add(new PipelineReport.Attempt(a, PipelineReport.Status.SUCCEEDED, millis(s0), null));
                    stageStatus = PipelineReport.Status.SUCCEEDED;
                    failure = null;
                    break;
                } catch (CancellationException | InterruptedException e) {
                    attempts.add(new PipelineReport.Attempt(a, PipelineReport.Status.CANCELLED, millis(s0),
                            describe(e)));
                    stageStatus = PipelineReport.Status.CANCELLED;
                    failure = e;
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    break;
                } catch (Exception | Error e) {
                    if (e instanceof VirtualMachineError) {
                        throw (VirtualMachineError) e;
                    }
                    attempts.add(new PipelineReport.Attempt(a, PipelineReport.Status.FAILED, millis(s0), describe(e)));
                    failure = e;
                    if (a < spec.maxAttempts()) {
                        LOG.warn("pipeline '{}' stage '{}' attempt {}/{} failed ({}); retrying", name, spec.name(), a,
                                spec.maxAttempts(), describe(e));
                        if (!sleep(retryDelay)) {
                            stageStatus = PipelineReport.Status.CANCELLED;
                            break;
                        }
                    } else {
                        LOG.warn("pipeline '{}' stage '{}' failed after {} attempts: {}", name, spec.name(), a,
                                describe(e));
                    }
                }
            }
            String outType = stageStatus == PipelineReport.Status.SUCCEEDED && out != null
                    ? out.getClass().getName() : null;
            reports.add(new PipelineReport.StageReport(spec.name(), stageStatus, spec.maxAttempts(), inType, outType,
                    attempts));
            if (stageStatus == PipelineReport.Status.SUCCEEDED) {
                value = out;
            } else {
                runStatus = stageStatus;
            }
        }
        PipelineReport report = new PipelineReport(name, runStatus, started.toString(), millis(t0), reports);
        LOG.debug("pipeline '{}' {} in {} ms", name, runStatus, report.durationMillis());
        return new PipelineResult<>(runStatus == PipelineReport.Status.SUCCEEDED ? (O) value : null, report, failure);
    }

    private static boolean sleep(Duration d) {
        if (d.isZero()) {
            return true;
        }
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * Builder: each {@link #stage} call returns a builder whose current type is the new stage's output.
     *
     * @param <I> pipeline input type
     * @param <C> output type of the last stage added
     */
    public static final class Builder<I, C> {
        private final String name;
        private final List<Spec> specs;
        private Duration retryDelay;

        private Builder(String name, List<Spec> specs, Duration retryDelay) {
            this.name = name;
            this.specs = specs;
            this.retryDelay = retryDelay;
        }

        /**
         * Adds a stage tried once.
         *
         * @param stageName unique, not blank
         * @param stage the work
         * @param <N> its output type
         * @return the builder, now producing {@code N}
         */
        public <N> Builder<I, N> stage(String stageName, Stage<? super C, ? extends N> stage) {
            return stage(stageName, 1, stage);
        }

        /**
         * Adds a stage tried up to {@code maxAttempts} times.
         *
         * @param stageName unique, not blank
         * @param maxAttempts attempts allowed, in [1, 100]
         * @param stage the work
         * @param <N> its output type
         * @return the builder, now producing {@code N}
         */
        @SuppressWarnings("unchecked")
        public <N> Builder<I, N> stage(String stageName, int maxAttempts, Stage<? super C, ? extends N> stage) {
            Objects.requireNonNull(stageName, "stageName");
            Objects.requireNonNull(stage, "stage");
            if (stageName.isBlank()) {
                throw new IllegalArgumentException("stageName must not be blank");
            }
            Set<String> names = new HashSet<>();
            specs.forEach(s -> names.add(s.name()));
            if (names.contains(stageName)) {
                throw new IllegalArgumentException("duplicate stage name '" + stageName + "'");
            }
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be in [1, 100], was " + maxAttempts);
            }
            specs.add(new Spec(stageName, maxAttempts, (Stage<Object, Object>) (Stage<?, ?>) stage));
            return (Builder<I, N>) this;
        }

        /** @param delay wait before each retry, {@code >= 0}, default 0 @return this */
        public Builder<I, C> retryDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retryDelay must be >= 0, was " + delay);
            }
            this.retryDelay = delay;
            return this;
        }

        /** @return the pipeline */
        public Pipeline<I, C> build() {
            if (specs.isEmpty()) {
                throw new IllegalStateException("pipeline '" + name + "' has no stages");
            }
            return new Pipeline<>(name, specs, retryDelay);
        }
    }
}
