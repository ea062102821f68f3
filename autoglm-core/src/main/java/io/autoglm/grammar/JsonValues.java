package io.autoglm.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Comparisons over plain Java JSON values (numbers compare by value, whatever their Java type). */
final class JsonValues {
    private JsonValues() {
    }

    /** @return the exact decimal value; {@code null} for a non-finite double or an unknown Number type */
    static BigDecimal decimal(Number n) {
        return switch (n) {
            case Long l -> BigDecimal.valueOf(l);
            case Integer i -> BigDecimal.valueOf(i);
            case Short s -> BigDecimal.valueOf(s);
            case Byte b -> BigDecimal.valueOf(b);
            case BigInteger b -> new BigDecimal(b);
            case BigDecimal d -> d;
            case Double d -> Double.isFinite(d) ? new BigDecimal(d.toString()) : null;
            case Float f -> Float.isFinite(f) ? new BigDecimal(f.toString()) : null;
            default -> null;
        };
    }

    /** @return true when {@code n} has an integer value (1.0 counts, as JSON Schema says) */
    static boolean isIntegral(Number n) {
        BigDecimal d = decimal(n);
        return d != null && (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0);
    }

    /** @return JSON equality: numbers by value, objects ignoring key order, arrays element-wise */
    static boolean jsonEquals(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Number x && b instanceof Number y) {
            BigDecimal dx = decimal(x);
            BigDecimal dy = decimal(y);
            return dx != null && dy != null && dx.compareTo(dy) == 0;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !jsonEquals(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!jsonEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** @return the length in Unicode code points, as JSON Schema's minLength/maxLength count */
    static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }
}
