package ai.numio.lmgate.redis;

import ai.numio.lmgate.limit.BudgetUnits;
import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.limit.LimitStoreException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A replica's lease on one request's limits (one policy's list): admissions it may answer without
 * Redis, until they are used up or the lease is older than its age. The request tokens behind them
 * were taken from each {@code REQUESTS} bucket when the lease was taken, so answering them locally
 * never exceeds an rpm limit; {@code TOKENS} buckets and budgets are checked against the snapshot
 * read with the lease plus what this replica charged since, and a lease whose view of them reaches
 * a limit ends early (the next acquire asks Redis, which alone refuses).
 *
 * <p>Everything below the final fields is guarded by {@link #lock}.
 */
final class Lease {

  final ReentrantLock lock = new ReentrantLock();
  final List<Limit> limits;

  /** Budget amounts in counter units (tokens or nano-dollars); 0 for buckets. */
  private final long[] amount;

  /** Per limit, this replica's spending on it; null for a {@code REQUESTS} bucket. */
  final Spending[] spending;

  /** Admissions left. */
  int remaining;

  /** When this lease was taken and when it ends (epoch ms, the callers' clock). */
  long start;

  long end;

  /** Removed from the store's map by the sweep: take another. */
  boolean dead;

  /** The last lease call's failure (null once one succeeds), and when it failed (nanos). */
  LimitStoreException failure;

  long failedAt;

  /** The snapshot per limit: a bucket's level (scaled) and time, a budget's spending. */
  final long[] value;

  final long[] updated;

  /** Per limit, the part of its {@link Spending#issued} the snapshot holds. */
  final long[] included;

  Lease(List<Limit> limits) {
    this.limits = limits;
    int n = limits.size();
    amount = new long[n];
    spending = new Spending[n];
    value = new long[n];
    updated = new long[n];
    included = new long[n];
    for (int i = 0; i < n; i++) {
      if (limits.get(i) instanceof Limit.Budget budget) {
        amount[i] = BudgetUnits.amount(budget);
      }
    }
  }

  /**
   * Whether this lease answers an acquire at {@code now} by itself: an admission left, not too old,
   * and every tokens bucket and budget still short of its limit in this replica's view.
   */
  boolean admitsLocally(long now) {
    if (remaining <= 0 || now >= end) {
      return false;
    }
    for (int i = 0; i < spending.length; i++) {
      if (waitMillis(i, now) > 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Milliseconds until limit {@code i} admits in this replica's view (the snapshot plus what was
   * charged here since); 0 when it admits now, and always for a {@code REQUESTS} bucket.
   */
  long waitMillis(int i, long now) {
    Spending s = spending[i];
    if (s == null) {
      return 0;
    }
    long since = s.issued - included[i];
    Limit limit = limits.get(i);
    if (limit instanceof Limit.Rate rate) {
      long perMinute = RedisLimitStore.perMinute(rate);
      long level = refilled(value[i], updated[i], perMinute, now) - scaled(since);
      long deficit = RedisLimitStore.SCALE - level;
      return deficit <= 0 ? 0 : -Math.floorDiv(-deficit, perMinute);
    }
    if (value[i] + since < amount[i]) {
      return 0;
    }
    Limit.Budget budget = (Limit.Budget) limit;
    return Math.max(1, RedisLimitStore.periodEnd(budget.period(), now) - now);
  }

  /** A bucket's level at {@code now}, refilled from {@code updated} and capped at capacity. */
  static long refilled(long level, long updated, long perMinute, long now) {
    long capacity = perMinute * RedisLimitStore.SCALE;
    if (now <= updated || level >= capacity) {
      return Math.min(level, capacity);
    }
    long elapsed = now - updated;
    long room = capacity - level;
    return elapsed >= -Math.floorDiv(-room, perMinute) ? capacity : level + elapsed * perMinute;
  }

  private static long scaled(long tokens) {
    return tokens > Long.MAX_VALUE / 4 / RedisLimitStore.SCALE
        ? Long.MAX_VALUE / 4
        : tokens * RedisLimitStore.SCALE;
  }
}
