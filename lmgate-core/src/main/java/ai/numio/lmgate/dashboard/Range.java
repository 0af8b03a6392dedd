package ai.numio.lmgate.dashboard;

import java.util.Locale;

/** The dashboard's three periods, each a ring of fixed buckets: memory does not grow with time. */
public enum Range {
  /** The last hour, per minute. */
  HOUR(60, 60),
  /** The last day, per hour. */
  DAY(24, 3600),
  /** The last 30 days, per day (UTC). */
  MONTH(30, 86_400);

  private final int buckets;
  private final long bucketMillis;

  Range(int buckets, long bucketSeconds) {
    this.buckets = buckets;
    this.bucketMillis = bucketSeconds * 1000L;
  }

  /** How many buckets the period has. */
  public int buckets() {
    return buckets;
  }

  /** The length of one bucket. */
  public long bucketMillis() {
    return bucketMillis;
  }

  /** The name the page and the JSON use: {@code hour}, {@code day}, {@code month}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The range of that name, or null. */
  public static Range named(String name) {
    for (Range r : values()) {
      if (r.configName().equals(name)) {
        return r;
      }
    }
    return null;
  }
}
