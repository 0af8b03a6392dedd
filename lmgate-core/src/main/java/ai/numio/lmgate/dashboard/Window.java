package ai.numio.lmgate.dashboard;

import java.util.Arrays;

/**
 * One range's ring of buckets: per bucket, the counters of every value of each dimension, the count
 * of each error type, and the latency histograms. A bucket is reused, cleared, when a record of a
 * newer period reaches it; a record older than what its bucket holds is outside the ring. Not
 * thread-safe: the aggregate's lock guards it. Per-value arrays are allocated when the value first
 * appears, so memory follows the values seen, up to the caps.
 */
final class Window {

  static final int REQUESTS = 0;
  static final int ERRORS = 1;
  static final int REFUSALS = 2;
  static final int INPUT = 3;
  static final int OUTPUT = 4;
  static final int CACHE_READ = 5;
  static final int CACHE_WRITE = 6;
  static final int UNPRICED = 7;
  static final int FIELDS = 8;

  static final int DURATION = 0;
  static final int TTFB = 1;
  static final int OVERHEAD = 2;
  static final int HISTOGRAMS = 3;

  final Range range;
  final int slots;
  private final long[] epochs;

  /** [dimension][value] → counters, {@code slots × FIELDS}; null until the value appears. */
  final long[][][] counts;

  /** [dimension][value] → cost in USD per slot; null until the value appears. */
  final double[][][] costs;

  /** [slot × (error types cap + 1) + error type]. */
  final long[] errorTypes;

  private final int errorTypeWidth;

  /** [slot × HISTOGRAMS × BUCKETS + histogram × BUCKETS + bucket]. */
  final long[] histograms;

  Window(Range range, int errorTypeWidth) {
    this.range = range;
    this.slots = range.buckets();
    this.epochs = new long[slots];
    Arrays.fill(epochs, Long.MIN_VALUE);
    Dimension[] dimensions = Dimension.values();
    this.counts = new long[dimensions.length][][];
    this.costs = new double[dimensions.length][][];
    for (Dimension d : dimensions) {
      counts[d.ordinal()] = new long[d.cap() + 1][];
      costs[d.ordinal()] = new double[d.cap() + 1][];
    }
    this.errorTypeWidth = errorTypeWidth;
    this.errorTypes = new long[slots * errorTypeWidth];
    this.histograms = new long[slots * HISTOGRAMS * LogHistogram.BUCKETS];
  }

  /** The period number of an instant: minutes, hours or days since the epoch. */
  long epochOf(long epochMillis) {
    return Math.floorDiv(epochMillis, range.bucketMillis());
  }

  /**
   * The slot that holds period {@code epoch}, cleared first if it held an older one; -1 when it
   * holds a newer one (the period is outside the ring).
   */
  int slotFor(long epoch) {
    int slot = (int) Math.floorMod(epoch, (long) slots);
    long held = epochs[slot];
    if (held == epoch) {
      return slot;
    }
    if (held > epoch) {
      return -1;
    }
    clear(slot);
    epochs[slot] = epoch;
    return slot;
  }

  /** The slot holding exactly period {@code epoch}, or -1. */
  int slotHolding(long epoch) {
    int slot = (int) Math.floorMod(epoch, (long) slots);
    return epochs[slot] == epoch ? slot : -1;
  }

  long[] counters(int dimension, int value) {
    long[] c = counts[dimension][value];
    if (c == null) {
      c = new long[slots * FIELDS];
      counts[dimension][value] = c;
      costs[dimension][value] = new double[slots];
    }
    return c;
  }

  void addErrorType(int slot, int errorType) {
    errorTypes[slot * errorTypeWidth + errorType]++;
  }

  long errorTypeCount(int slot, int errorType) {
    return errorTypes[slot * errorTypeWidth + errorType];
  }

  void addHistogram(int slot, int histogram, int bucket) {
    histograms[(slot * HISTOGRAMS + histogram) * LogHistogram.BUCKETS + bucket]++;
  }

  /** Offset of one slot's histogram in {@link #histograms}. */
  int histogramOffset(int slot, int histogram) {
    return (slot * HISTOGRAMS + histogram) * LogHistogram.BUCKETS;
  }

  private void clear(int slot) {
    for (int d = 0; d < counts.length; d++) {
      long[][] values = counts[d];
      for (int v = 0; v < values.length; v++) {
        if (values[v] != null) {
          Arrays.fill(values[v], slot * FIELDS, (slot + 1) * FIELDS, 0L);
          costs[d][v][slot] = 0;
        }
      }
    }
    Arrays.fill(errorTypes, slot * errorTypeWidth, (slot + 1) * errorTypeWidth, 0L);
    int h = slot * HISTOGRAMS * LogHistogram.BUCKETS;
    Arrays.fill(histograms, h, h + HISTOGRAMS * LogHistogram.BUCKETS, 0L);
  }
}
