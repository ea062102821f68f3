package io.autoglm.examples.train;

import io.autoglm.automl.pipeline.Pipeline;
import io.autoglm.automl.pipeline.PipelineResult;
import java.nio.file.Path;

/**
 * Runnable example: the trainer as an automl {@link Pipeline} (load -> preprocess -> train -> evaluate),
 * printing the pipeline's JSON report (stages, attempts, timings).
 *
 * <pre>
 * java -cp autoglm.jar io.autoglm.examples.train.TrainingPipelineExample [datasets-dir]
 * </pre>
 */
public final class TrainingPipelineExample {
    private TrainingPipelineExample() {
    }

    /**
     * Builds the example pipeline.
     *
     * @param config the training settings
     * @return a pipeline from a datasets folder to the final validation accuracy
     */
    public static Pipeline<Path, Double> pipeline(Trainer.Config config) {
        return Pipeline.<Path>builder("digits-" + config.model())
                .stage("load", (Path dir, io.autoglm.automl.pipeline.StageContext ctx) -> Dataset.load(dir, "digits"))
                .stage("preprocess", (Dataset d, io.autoglm.automl.pipeline.StageContext ctx) ->
                        d.split(0.2, config.seed()).standardised())
                .stage("train", 2, (Dataset.Split split, io.autoglm.automl.pipeline.StageContext ctx) ->
                        Trainer.train(split, config, s -> ctx.checkCancelled()))
                .stage("evaluate", (Trainer.Result r, io.autoglm.automl.pipeline.StageContext ctx) ->
                        r.last().valAccuracy())
                .build();
    }

    /**
     * @param args optional datasets folder
     */
    public static void main(String[] args) {
        Path dir = Dataset.locateDir(args.length > 0 ? Path.of(args[0]) : null);
        PipelineResult<Double> r = pipeline(Trainer.Config.of("mlp", Trainer.Schedule.ADAPTIVE, 0.01, 10, 1)).run(dir);
        System.out.println(r.report().toJson());
        System.out.println("validation accuracy: " + r.output());
    }
}
