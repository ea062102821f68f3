package io.autoglm.quant.internal;

import io.autoglm.gguf.GgmlType;
import io.autoglm.quant.BlockCodec;
import java.util.EnumMap;
import java.util.Map;

/** The codec instances, one per supported type. */
public final class Codecs {
    private static final Map<GgmlType, BlockCodec> BY_TYPE = new EnumMap<>(GgmlType.class);

    static {
        for (BlockCodec c : new BlockCodec[] {
            new FloatCodecs.F32(), new FloatCodecs.F16(), new FloatCodecs.BF16(),
            new LegacyCodecs.Q8_0(), new LegacyCodecs.Q4_0(), new LegacyCodecs.Q4_1(),
            new LegacyCodecs.Q5_0(), new LegacyCodecs.Q5_1(),
            new KCodecs.Q2_K(), new KCodecs.Q3_K(), new KCodecs.Q4_K(), new KCodecs.Q5_K(), new KCodecs.Q6_K()}) {
            BY_TYPE.put(c.type(), c);
        }
    }

    private Codecs() {
    }

    /** @return the codec of {@code t}, or null when unsupported */
    public static BlockCodec get(GgmlType t) {
        return BY_TYPE.get(t);
    }

    /** @return the supported types in id order */
    public static java.util.Set<GgmlType> supported() {
        return java.util.Collections.unmodifiableSet(BY_TYPE.keySet());
    }
}
