package ai.numio.lmgate.limit;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The limits of one process ({@code limits.store: memory}): every bucket and budget in a map under
 * one lock, so an {@link #acquire} over several limits is atomic. The work under the lock is a few
 * map look-ups and additions, without allocation for a scope already seen.
 *
 * <p>Arithmetic, exact in integers: a bucket's level is kept in 1/60,000ths of a unit, so that a
 * bucket of {@code perMinute} refills by exactly {@code perMinute} of these per millisecond. A
 * clock that goes backwards (another thread's earlier {@code now}, a wall clock set back) refills
 * nothing and takes nothing away: the bucket keeps its level and its last time.
 *
 * <p>State stays bounded: once a minute (of the times passed in) the scopes whose buckets are full
 * again and whose budget periods have ended are dropped; a budget holds only the period it last saw
 * (a charge to an earlier, ended period changes nothing).
 */
public final class MemoryLimitStore implements LimitStore {

  /** Scale of a bucket's level: units per minute become scaled units per millisecond. */
  static final long SCALE = 60_000;

  /** Larger rates are treated as this one (still more than anyone can send); keeps longs exact. */
  static final long MAX_PER_MINUTE = 1_000_000_000_000L;

  /** The lowest a bucket can be charged to (in scaled units); keeps sums far from overflow. */
  private static final long FLOOR = Long.MIN_VALUE / 4;

  private static final long SWEEP_EVERY_MILLIS = 60_000;

  private final Map<String, ScopeState> scopes = new HashMap<>();
  private long lastSweep = Long.MIN_VALUE;

  @Override
  public synchronized Verdict acquire(List<Limit> limits, long nowMillis) {
    sweepIfDue(nowMillis);
    Limit refusedBy = null;
    long longest = 0;
    int n = limits.size();
    for (int i = 0; i < n; i++) {
      Limit limit = limits.get(i);
      long wait = waitMillis(limit, nowMillis);
      if (wait > 0 && (refusedBy == null || wait > longest)) {
        refusedBy = limit;
        longest = wait;
      }
    }
    if (refusedBy != null) {
      return Verdict.refused(refusedBy, ceilDiv(longest, 1000));
    }
    for (int i = 0; i < n; i++) {
      if (limits.get(i) instanceof Limit.Rate rate && rate.counted() == Limit.Counted.REQUESTS) {
        Bucket bucket = state(rate.scope()).bucket(rate.counted(), rate.perMinute(), nowMillis);
        bucket.take(SCALE);
      }
    }
    return Verdict.ADMITTED;
  }

  @Override
  public synchronized void charge(
      List<Limit> limits, long tokens, Double usd, long arrivalMillis, long nowMillis) {
    long used = Math.max(0, tokens);
    int n = limits.size();
    for (int i = 0; i < n; i++) {
      Limit limit = limits.get(i);
      if (limit instanceof Limit.Rate rate) {
        if (rate.counted() == Limit.Counted.TOKENS && used > 0) {
          Bucket bucket = state(rate.scope()).bucket(rate.counted(), rate.perMinute(), nowMillis);
          bucket.take(scaled(used));
        }
      } else if (limit instanceof Limit.Budget budget) {
        long amount;
        if (budget.unit() == Limit.Unit.USD) {
          if (usd == null || !(usd > 0) || usd.isInfinite()) {
            continue;
          }
          amount = BudgetUnits.nanoDollars(usd);
        } else {
          amount = used;
        }
        if (amount > 0) {
          state(budget.scope()).spend(budget, amount, arrivalMillis);
        }
      }
    }
  }

  @Override
  public void close() {
    // nothing to release
  }

  /** How many scopes hold state now (for tests of boundedness). */
  synchronized int scopeCount() {
    return scopes.size();
  }

  /** Milliseconds until {@code limit} admits a request at {@code now}; 0 when it admits now. */
  private long waitMillis(Limit limit, long now) {
    ScopeState state = scopes.get(limit.scope());
    if (state == null) {
      return 0; // a fresh scope: buckets full, nothing spent
    }
    if (limit instanceof Limit.Rate rate) {
      Bucket bucket = state.existingBucket(rate.counted());
      if (bucket == null) {
        return 0;
      }
      long perMinute = clampRate(rate.perMinute());
      bucket.refill(perMinute, now);
      long deficit = SCALE - bucket.level;
      return deficit <= 0 ? 0 : ceilDiv(deficit, perMinute);
    }
    Limit.Budget budget = (Limit.Budget) limit;
    Spent spent = state.existingSpent(budget);
    if (spent == null) {
      return 0;
    }
    long periodStart = Periods.start(budget.period(), now);
    if (spent.periodStart < periodStart) {
      return 0; // the period spent in has ended
    }
    // the current period, or a later one a clock set back still shows: never refilled early
    if (spent.amount < BudgetUnits.amount(budget)) {
      return 0;
    }
    return Math.max(1, spent.periodEnd - now);
  }

  private ScopeState state(String scope) {
    ScopeState state = scopes.get(scope);
    if (state == null) {
      state = new ScopeState();
      scopes.put(scope, state);
    }
    return state;
  }

  private void sweepIfDue(long now) {
    if (lastSweep != Long.MIN_VALUE && now - lastSweep < SWEEP_EVERY_MILLIS && now >= lastSweep) {
      return;
    }
    lastSweep = now;
    for (Iterator<ScopeState> it = scopes.values().iterator(); it.hasNext(); ) {
      if (it.next().idle(now)) {
        it.remove();
      }
    }
  }

  static long clampRate(long perMinute) {
    return Math.min(perMinute, MAX_PER_MINUTE);
  }

  private static long scaled(long units) {
    return units > Long.MAX_VALUE / 4 / SCALE ? Long.MAX_VALUE / 4 : units * SCALE;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /** A rate bucket: level in scaled units, and the time it was last refilled to. */
  private static final class Bucket {
    long perMinute;
    long level;
    long last;

    Bucket(long perMinute, long now) {
      this.perMinute = perMinute;
      this.level = perMinute * SCALE;
      this.last = now;
    }

    /** Refills up to {@code now} at {@code perMinute} (which a reload may have changed). */
    void refill(long perMinute, long now) {
      this.perMinute = perMinute;
      long capacity = perMinute * SCALE;
      if (now > last) {
        long elapsed = now - last;
        long room = capacity - level;
        // level + elapsed * perMinute, capped at capacity without overflow
        level =
            room <= 0 || elapsed >= ceilDiv(room, perMinute)
                ? capacity
                : level + elapsed * perMinute;
        last = now;
      }
      if (level > capacity) {
        level = capacity; // the rate was lowered
      }
    }

    void take(long scaledUnits) {
      level = Math.max(FLOOR, level - scaledUnits);
    }

    boolean full(long now) {
      refill(perMinute, now);
      return level >= perMinute * SCALE;
    }
  }

  /** What a budget spent in the period it last saw. */
  private static final class Spent {
    long periodStart;
    long periodEnd;
    long amount; // tokens or nano-dollars: see BudgetUnits
  }

  /** Everything one scope holds: its two buckets and its budgets (by unit and period). */
  private static final class ScopeState {
    private Bucket requests;
    private Bucket tokens;
    private final Spent[] budgets = new Spent[4];

    Bucket existingBucket(Limit.Counted counted) {
      return counted == Limit.Counted.REQUESTS ? requests : tokens;
    }

    Bucket bucket(Limit.Counted counted, long perMinute, long now) {
      long rate = clampRate(perMinute);
      Bucket bucket = existingBucket(counted);
      if (bucket == null) {
        bucket = new Bucket(rate, now);
        if (counted == Limit.Counted.REQUESTS) {
          requests = bucket;
        } else {
          tokens = bucket;
        }
      } else {
        bucket.refill(rate, now);
      }
      return bucket;
    }

    private static int index(Limit.Budget budget) {
      return budget.unit().ordinal() * 2 + budget.period().ordinal();
    }

    Spent existingSpent(Limit.Budget budget) {
      return budgets[index(budget)];
    }

    void spend(Limit.Budget budget, long amount, long arrival) {
      int i = index(budget);
      Spent spent = budgets[i];
      long start = Periods.start(budget.period(), arrival);
      if (spent == null) {
        spent = new Spent();
        budgets[i] = spent;
      } else if (spent.periodStart > start) {
        return; // charged to a period that has ended: nothing it could refuse any more
      } else if (spent.periodStart == start) {
        spent.amount += amount;
        return;
      }
      spent.periodStart = start;
      spent.periodEnd = Periods.end(budget.period(), start);
      spent.amount = amount;
    }

    boolean idle(long now) {
      if (requests != null && !requests.full(now)) {
        return false;
      }
      if (tokens != null && !tokens.full(now)) {
        return false;
      }
      for (Spent spent : budgets) {
        if (spent != null && spent.periodEnd > now) {
          return false;
        }
      }
      return true;
    }
  }
}
