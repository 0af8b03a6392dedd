package ai.numio.lmgate.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The series of one metric by their labels, at most {@code max} of them plus the overflow series
 * (every free label {@code other}) that any further combination is counted in. Each series is
 * resolved once (its data points looked up in the registry) and then found by one map lookup.
 *
 * @param <K> the labels of a series
 * @param <V> its data points
 */
final class BoundedSeries<K, V> {

  private final int max;
  private final Function<K, V> create;
  private final ConcurrentHashMap<K, V> series = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();

  BoundedSeries(int max, Function<K, V> create) {
    this.max = max;
    this.create = create;
  }

  /** The series of {@code key}, or of {@code overflow} when {@code key} is new and none is left. */
  V get(K key, Function<K, K> overflow) {
    V known = series.get(key);
    if (known != null) {
      return known;
    }
    if (size.incrementAndGet() > max) {
      size.decrementAndGet();
      return series.computeIfAbsent(overflow.apply(key), create);
    }
    boolean[] created = {false};
    V value =
        series.computeIfAbsent(
            key,
            k -> {
              created[0] = true;
              return create.apply(k);
            });
    if (!created[0]) {
      size.decrementAndGet();
    }
    return value;
  }

  /** How many series exist, the overflow one included. */
  int size() {
    return series.size();
  }
}
