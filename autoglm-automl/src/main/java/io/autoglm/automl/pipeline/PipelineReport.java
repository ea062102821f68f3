package io.autoglm.automl.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What happened in one pipeline run.
 *
 * @param pipeline the pipeline's name
 * @param status how the run ended
 * @param startedAt ISO-8601 start instant
 * @param durationMillis wall time of the run
 * @param stages one entry per stage, in order (stages never reached are {@link Status#SKIPPED})
 */
public record PipelineReport(String pipeline, Status status, String startedAt, double durationMillis,
        List<StageReport> stages) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Outcome of a run, a stage or an attempt. */
    public enum Status {
        /** Finished normally. */
        SUCCEEDED,
        /** Threw on its last allowed attempt. */
        FAILED,
        /** Stopped by cancellation. */
        CANCELLED,
        /** Not run because an earlier stage did not succeed. */
        SKIPPED
    }

    /**
     * One attempt of a stage.
     *
     * @param number 1-based attempt number
     * @param status SUCCEEDED, FAILED or CANCELLED
     * @param durationMillis wall time of the attempt
     * @param error the exception's class and message, {@code null} on success
     */
    public record Attempt(int number, Status status, double durationMillis, String error) {
    }

    /**
     * One stage.
     *
     * @param name stage name
     * @param status final status
     * @param maxAttempts attempts allowed
     * @param inputType runtime class of the input, {@code null} if not run or null
     * @param outputType runtime class of the output, {@code null} if none
     * @param attempts every attempt made
     */
    public record StageReport(String name, Status status, int maxAttempts, String inputType, String outputType,
            List<Attempt> attempts) {
        /** Copies the list. */
        public StageReport {
            attempts = List.copyOf(attempts);
        }

        /** @return total wall time of all attempts */
        public double durationMillis() {
            return attempts.stream().mapToDouble(Attempt::durationMillis).sum();
        }
    }

    /** Copies the list. */
    public PipelineReport {
        stages = List.copyOf(stages);
    }

    /** @return the report as a JSON document */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("pipeline", pipeline);
        root.put("status", status.name());
        root.put("startedAt", startedAt);
        root.put("durationMillis", durationMillis);
        ArrayNode st = root.putArray("stages");
        for (StageReport s : stages) {
            ObjectNode n = st.addObject();
            n.put("name", s.name());
            n.put("status", s.status().name());
            n.put("maxAttempts", s.maxAttempts());
            n.put("inputType", s.inputType());
            n.put("outputType", s.outputType());
            n.put("durationMillis", s.durationMillis());
            ArrayNode at = n.putArray("attempts");
            for (Attempt a : s.attempts()) {
                ObjectNode an = at.addObject();
                an.put("number", a.number());
                an.put("status", a.status().name());
                an.put("durationMillis", a.durationMillis());
                an.put("error", a.error());
            }
        }
        return root.toPrettyString();
    }
}
