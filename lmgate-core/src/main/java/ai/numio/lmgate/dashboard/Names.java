package ai.numio.lmgate.dashboard;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The distinct values of one dimension, numbered in order of appearance, at most {@code cap} of
 * them: any further value is {@link #OTHER}, so a flood of made-up model names cannot grow the
 * memory (LiteLLM's unbounded label cardinality leaked). Lookups of a known value take no lock.
 */
final class Names {

  /** The label of the values beyond the cap. */
  static final String OTHER = "(other)";

  /** The label of a record without a value. */
  static final String NONE = "(none)";

  private final int cap;
  private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
  private final String[] names;
  private volatile int size;

  Names(int cap) {
    this.cap = cap;
    this.names = new String[cap + 1];
    this.names[cap] = OTHER;
  }

  /** The index of {@code value} (null reads as {@link #NONE}); {@link #other()} beyond the cap. */
  int index(String value) {
    String key = value == null ? NONE : value;
    Integer id = ids.get(key);
    if (id != null) {
      return id;
    }
    if (size >= cap) {
      return cap;
    }
    synchronized (this) {
      id = ids.get(key);
      if (id != null) {
        return id;
      }
      int n = size;
      if (n >= cap) {
        return cap;
      }
      names[n] = key;
      ids.put(key, n);
      size = n + 1;
      return n;
    }
  }

  /** The index under which values beyond the cap are counted. */
  int other() {
    return cap;
  }

  /** Indices in use are below {@code size()} and {@link #other()}. */
  int size() {
    return size;
  }

  /** The value of an index returned by {@link #index}. */
  String name(int index) {
    return names[index];
  }
}
