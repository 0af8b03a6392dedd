package ai.numio.lmgate.dashboard;

/**
 * Bucket arithmetic of a fixed log-linear histogram of microseconds: 0–7 µs exactly, then four
 * buckets per power of two (so a bucket's upper bound is at most 25 % above any value in it), up to
 * about 36 minutes; longer values share the last bucket. {@value #BUCKETS} buckets, no allocation.
 */
final class LogHistogram {

  static final int BUCKETS = 128;

  private LogHistogram() {}

  /** The bucket of a value in microseconds (negative reads as 0). */
  static int bucket(long micros) {
    if (micros < 8) {
      return micros < 0 ? 0 : (int) micros;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(micros); // >= 3
    int sub = (int) (micros >>> (exponent - 2)) & 3;
    int index = 4 * (exponent - 1) + sub;
    return Math.min(index, BUCKETS - 1);
  }

  /** The smallest value above the bucket, in microseconds: "every value in it is below this". */
  static long upperBound(int bucket) {
    if (bucket < 8) {
      return bucket + 1L;
    }
    int exponent = bucket / 4 + 1;
    int sub = bucket % 4;
    return (5L + sub) << (exponent - 2);
  }

  /**
   * The upper bound of the bucket holding the {@code quantile} (0–1) of the counts, in
   * microseconds; -1 when there are none.
   */
  static long quantile(long[] counts, int offset, long total, double quantile) {
    if (total <= 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(quantile * total));
    long seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
      seen += counts[offset + b];
      if (seen >= rank) {
        return upperBound(b);
      }
    }
    return upperBound(BUCKETS - 1);
  }
}
