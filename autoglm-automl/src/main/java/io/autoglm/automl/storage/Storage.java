package io.autoglm.automl.storage;

import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where studies and trials live: in memory, in an embedded SQLite file, or in PostgreSQL shared by
 * many worker processes. Every method is atomic and thread-safe; implementations that are shared
 * between processes make trial numbering and state changes atomic across processes, so no trial is
 * ever lost or numbered twice.
 */
public interface Storage extends AutoCloseable {

    /**
     * @param name unique study name
     * @param directions one direction per objective
     * @return the new study
     * @throws IllegalArgumentException when a study of that name already exists
     */
    StudyRef createStudy(String name, List<StudyDirection> directions);

    /** @param name a study name @return the study, if it exists */
    Optional<StudyRef> findStudy(String name);

    /** @return all studies */
    List<StudyRef> studies();

    /** @param studyId a study @throws IllegalArgumentException when it does not exist */
    void deleteStudy(long studyId);

    /**
     * Creates a trial in state RUNNING with the next number of the study. When the study has
     * WAITING (enqueued) trials, the oldest one is claimed instead and returned as RUNNING.
     *
     * @param studyId the study
     * @param workerId who runs it (recorded as system attribute {@code worker})
     * @return the running trial
     */
    FrozenTrial startTrial(long studyId, String workerId);

    /**
     * Enqueues a trial in state WAITING whose listed parameters are fixed (stored as system
     * attribute {@code fixed_params}, a map of name to external value).
     *
     * @param studyId the study
     * @param fixedParams parameter values (external form)
     * @return the waiting trial
     */
    FrozenTrial enqueueTrial(long studyId, Map<String, Object> fixedParams);

    /**
     * Records a parameter of a running trial.
     *
     * @param trialId the trial
     * @param name parameter name
     * @param internalValue value in internal form (must be contained in the distribution)
     * @param distribution its distribution
     * @throws IllegalArgumentException when another trial of the study used the name with an incompatible distribution
     * @throws IllegalStateException when the trial is finished
     */
    void setTrialParam(long trialId, String name, double internalValue, Distribution distribution);

    /**
     * @param trialId a running trial
     * @param step step number, &gt;= 0
     * @param value the reported value (finite)
     */
    void setTrialIntermediateValue(long trialId, int step, double value);

    /**
     * @param trialId the trial
     * @param key attribute name
     * @param value JSON-compatible value
     */
    void setTrialUserAttr(long trialId, String key, Object value);

    /**
     * @param trialId the trial
     * @param key attribute name
     * @param value JSON-compatible value
     */
    void setTrialSystemAttr(long trialId, String key, Object value);

    /**
     * Finishes a running trial.
     *
     * @param trialId the trial
     * @param state COMPLETE, PRUNED or FAIL
     * @param values objective values for COMPLETE (one per direction), else empty
     * @param samplerTime time the sampler spent on the trial (recorded as {@link FrozenTrial#samplerTime()}),
     *     or null when not measured
     * @return false when the trial was no longer RUNNING (for example failed by a heartbeat reaper), in
     *     which case nothing changed
     */
    boolean finishTrial(long trialId, TrialState state, List<Double> values, Duration samplerTime);

    /**
     * Finishes a running trial without a sampler time: {@code finishTrial(trialId, state, values, null)}.
     *
     * @param trialId the trial
     * @param state COMPLETE, PRUNED or FAIL
     * @param values objective values for COMPLETE (one per direction), else empty
     * @return false when the trial was no longer RUNNING, in which case nothing changed
     */
    default boolean finishTrial(long trialId, TrialState state, List<Double> values) {
        return finishTrial(trialId, state, values, null);
    }

    /**
     * Adds a finished trial in one step (Optuna's {@code add_trial}): it takes the study's next number and
     * the state, values, parameters, user attributes, intermediate values and start/finish times of
     * {@code trial}; the trial id and number of {@code trial} are ignored, its system attributes and
     * sampler time are not copied.
     *
     * @param studyId the study
     * @param trial the trial to copy: COMPLETE (one value per direction), PRUNED or FAIL (no values), every
     *     parameter inside its distribution
     * @return the stored trial
     * @throws IllegalArgumentException when the state, the values or a distribution do not fit the study
     */
    FrozenTrial addTrial(long studyId, FrozenTrial trial);

    /** @param trialId a running trial: records that its worker is alive now */
    void recordHeartbeat(long trialId);

    /**
     * Fails every RUNNING trial of the study whose last heartbeat (or start) is older than {@code grace}.
     *
     * @param studyId the study
     * @param grace heartbeat grace period
     * @return the trials that were failed by this call
     */
    List<FrozenTrial> failStaleTrials(long studyId, Duration grace);

    /** @param trialId a trial @return its snapshot @throws IllegalArgumentException when unknown */
    FrozenTrial trial(long trialId);

    /**
     * @param studyId the study
     * @param states states to include; empty means all
     * @return the trials, ordered by number
     */
    List<FrozenTrial> trials(long studyId, Set<TrialState> states);

    /** Releases connections and files. Idempotent. */
    @Override
    void close();
}
