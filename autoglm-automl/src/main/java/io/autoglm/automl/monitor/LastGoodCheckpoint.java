package io.autoglm.automl.monitor;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last known-good snapshot of a training state and puts it back on demand.
 * The snapshot function must return an independent copy (for example deep-copied weight arrays).
 *
 * @param <S> the snapshot type
 */
public final class LastGoodCheckpoint<S> {
    private static final Logger LOG = LoggerFactory.getLogger(LastGoodCheckpoint.class);

    private final Supplier<S> snapshot;
    private final Consumer<S> restorer;
    private S saved;
    private int restores;

    /**
     * @param snapshot returns an independent copy of the current state
     * @param restorer puts a copy back (it receives the stored snapshot; copy it if it mutates it)
     */
    public LastGoodCheckpoint(Supplier<S> snapshot, Consumer<S> restorer) {
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.restorer = Objects.requireNonNull(restorer, "restorer");
    }

    /** Takes a snapshot of the current state as the last good one. */
    public void save() {
        saved = Objects.requireNonNull(snapshot.get(), "snapshot returned null");
    }

    /** @return whether a snapshot exists */
    public boolean hasSnapshot() {
        return saved != null;
    }

    /** @return the number of restores done */
    public int restores() {
        return restores;
    }

    /**
     * Restores the last good snapshot.
     *
     * @return {@code false} if none was saved yet
     */
    public boolean restore() {
        if (saved == null) {
            LOG.warn("no good checkpoint to restore yet; call save() at known-good points");
            return false;
        }
        restorer.accept(saved);
        restores++;
        LOG.info("restored last good checkpoint (restore #{})", restores);
        return true;
    }
}
