package io.autoglm.automl.lr;

import java.util.Map;

/**
 * Cosine annealing with warm restarts (SGDR, PyTorch's CosineAnnealingWarmRestarts):
 * {@code lr = etaMin + (base - etaMin) * (1 + cos(pi * tCur / tI)) / 2}; after each step
 * {@code tCur += 1} and when {@code tCur >= tI} the cycle restarts: {@code tCur -= tI, tI *= tMult}.
 */
final class CosineWarmRestartsSchedule extends AbstractSchedule {
    private double base;
    private double etaMin;
    private final long t0;
    private final long tMult;
    private long tCur;
    private long tI;

    CosineWarmRestartsSchedule(double base, long t0, long tMult, double etaMin) {
        super("cosine");
        this.base = Schedules.nonNegative("learning rate", base);
        this.t0 = Schedules.positive("t0", t0);
        this.tMult = Schedules.positive("tMult", tMult);
        this.etaMin = Schedules.nonNegative("etaMin", etaMin);
        if (etaMin > base) {
            throw new IllegalArgumentException("etaMin must be <= learning rate " + base + ", was " + etaMin);
        }
        this.tI = t0;
    }

    @Override
    public double learningRate() {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }

    @Override
    public void step() {
        super.step();
        tCur++;
        if (tCur >= tI) {
            tCur -= tI;
            tI *= tMult;
        }
    }

    @Override
    public void scale(double factor) {
        Schedules.positive("factor", factor);
        base *= factor;
        etaMin *= factor;
    }

    @Override
    void writeState(Map<String, Object> m) {
        m.put("base", base);
        m.put("etaMin", etaMin);
        m.put("t0", t0);
        m.put("tMult", tMult);
        m.put("tCur", tCur);
        m.put("tI", tI);
    }

    @Override
    void readState(Map<String, ?> state) {
        base = Schedules.num(state, "base");
        etaMin = Schedules.num(state, "etaMin");
        tCur = Schedules.lng(state, "tCur");
        tI = Schedules.lng(state, "tI");
    }

    @Override
    public String toString() {
        return "cosine(lr=" + base + ", t0=" + t0 + ", tMult=" + tMult + ", etaMin=" + etaMin + ")";
    }
}
