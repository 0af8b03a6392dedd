package ai.numio.lmgate.dashboard;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.stats.RecordObserver;
import ai.numio.lmgate.stats.UsageRecord;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * What the dashboard shows (SPEC-2 §16), kept in memory as records are written: requests, tokens,
 * cost, errors and refusals by error type, latency, time to first byte and gateway overhead, per
 * minute over the last hour, per hour over the last day and per day over 30 days, by owner, model
 * and route. Fed by the core's {@link RecordObserver} for live records and by {@link HistorySeeder}
 * for the stats files written before start.
 *
 * <p>Memory is bounded: fixed rings of buckets, and at most {@link Dimension#cap()} distinct values
 * per dimension (further values count as {@code (other)}). Recording takes one lock for a few dozen
 * array additions (well under a microsecond; {@code AggregateBenchmark}); a summary sums the
 * buckets of one range under the same lock.
 */
public final class UsageAggregate implements RecordObserver {

  /** The gateway's own refusals (SPEC-2 §14), told apart from errors on the page. */
  static final Set<String> REFUSALS =
      Set.of(
          "model_not_allowed",
          "key_expired",
          "rate_limited",
          "budget_exceeded",
          "limit_store_unavailable",
          "bad_request");

  static final int ERROR_TYPE_CAP = 50;

  private final TimeSource time;
  private final IntSupplier inflight;
  private final Names[] names = new Names[Dimension.values().length];
  private final Names errorTypes = new Names(ERROR_TYPE_CAP);
  private final Window[] windows;

  /** Guards the windows; a monitor, whose adaptive spinning suits a critical section this short. */
  private final Object lock = new Object();

  private final History history = new History();

  /**
   * An empty aggregate.
   *
   * @param inflight the requests in flight now (the core's {@code inflightCount})
   */
  public UsageAggregate(TimeSource time, IntSupplier inflight) {
    this.time = time;
    this.inflight = inflight;
    for (Dimension d : Dimension.values()) {
      names[d.ordinal()] = new Names(d.cap());
    }
    Range[] ranges = Range.values();
    windows = new Window[ranges.length];
    for (Range r : ranges) {
      windows[r.ordinal()] = new Window(r, ERROR_TYPE_CAP + 1);
    }
  }

  /** Counts one record; {@code overheadNanos} -1 when unknown. Never blocks for long. */
  @Override
  public void recorded(UsageRecord r, long overheadNanos) {
    if (r == null || r.timestamp() == null) {
      return;
    }
    long at = r.timestamp().toEpochMilli();
    int[] values = new int[Dimension.values().length];
    values[Dimension.OWNER.ordinal()] = names[Dimension.OWNER.ordinal()].index(r.owner());
    values[Dimension.MODEL.ordinal()] = names[Dimension.MODEL.ordinal()].index(r.model());
    values[Dimension.ROUTE.ordinal()] = names[Dimension.ROUTE.ordinal()].index(r.provider());
    String errorType = r.errorType();
    int error = errorType == null ? -1 : errorTypes.index(errorType);
    boolean refusal = errorType != null && REFUSALS.contains(errorType);
    long input = orZero(r.inputTokens());
    long output = orZero(r.outputTokens());
    long cacheRead = orZero(r.cacheReadTokens());
    long cacheWrite = orZero(r.cacheWriteTokens());
    Double cost = r.costUsd();
    int duration = LogHistogram.bucket(r.durationMs() * 1000L);
    int ttfb = r.ttfbMs() == null ? -1 : LogHistogram.bucket(r.ttfbMs() * 1000L);
    int overhead = overheadNanos < 0 ? -1 : LogHistogram.bucket(overheadNanos / 1000L);
    synchronized (lock) {
      for (Window w : windows) {
        int slot = w.slotFor(w.epochOf(at));
        if (slot < 0) {
          continue;
        }
        int base = slot * Window.FIELDS;
        for (int d = 0; d < values.length; d++) {
          add(
              w,
              d,
              values[d],
              slot,
              base,
              error,
              refusal,
              input,
              output,
              cacheRead,
              cacheWrite,
              cost);
        }
        if (error >= 0) {
          w.addErrorType(slot, error);
        }
        w.addHistogram(slot, Window.DURATION, duration);
        if (ttfb >= 0) {
          w.addHistogram(slot, Window.TTFB, ttfb);
        }
        if (overhead >= 0) {
          w.addHistogram(slot, Window.OVERHEAD, overhead);
        }
      }
    }
  }

  @SuppressWarnings("ParameterNumber")
  private static void add(
      Window w,
      int dimension,
      int value,
      int slot,
      int base,
      int error,
      boolean refusal,
      long input,
      long output,
      long cacheRead,
      long cacheWrite,
      Double cost) {
    long[] c = w.counters(dimension, value);
    c[base + Window.REQUESTS]++;
    if (error >= 0) {
      c[base + (refusal ? Window.REFUSALS : Window.ERRORS)]++;
    }
    c[base + Window.INPUT] += input;
    c[base + Window.OUTPUT] += output;
    c[base + Window.CACHE_READ] += cacheRead;
    c[base + Window.CACHE_WRITE] += cacheWrite;
    if (cost == null) {
      c[base + Window.UNPRICED]++;
    } else {
      w.costs[dimension][value][slot] += cost;
    }
  }

  private static long orZero(Long n) {
    return n == null ? 0 : n;
  }

  /** How far reading the stats files written before start has got. */
  public History history() {
    return history;
  }

  /**
   * The page's data for one range, grouped by {@code by}, as of now: a JSON object (see {@link
   * SummaryJson}).
   */
  public byte[] summaryJson(Range range, Dimension by) {
    return SummaryJson.write(snapshot(range, by));
  }

  /** The sums of one range, taken under the lock. */
  Snapshot snapshot(Range range, Dimension by) {
    long now = time.now().toEpochMilli();
    int inflightNow = inflight.getAsInt();
    synchronized (lock) {
      return Snapshot.take(
          windows[range.ordinal()], now, by, names, errorTypes, inflightNow, history.view());
    }
  }
}
