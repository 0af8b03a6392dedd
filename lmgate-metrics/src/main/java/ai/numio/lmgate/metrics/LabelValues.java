package ai.numio.lmgate.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The values one label of one metric has taken, at most {@code max} of them: a value seen after
 * that is {@value #OTHER} (SPEC-2 §16), so a flood of distinct models or owners cannot grow memory.
 */
final class LabelValues {

  /** What a value beyond the cap is counted as. */
  static final String OTHER = "other";

  private final int max;
  private final ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();

  LabelValues(int max) {
    this.max = max;
  }

  /** {@code value} if it is kept (seen before, or room left), else {@value #OTHER}. */
  String admit(String value) {
    String known = seen.get(value);
    if (known != null) {
      return known;
    }
    if (size.incrementAndGet() > max) {
      size.decrementAndGet();
      return OTHER;
    }
    String raced = seen.putIfAbsent(value, value);
    if (raced != null) {
      size.decrementAndGet(); // another thread kept it first
      return raced;
    }
    return value;
  }

  /** How many values are kept. */
  int size() {
    return seen.size();
  }
}
