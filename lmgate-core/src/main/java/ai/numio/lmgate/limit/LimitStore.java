package ai.numio.lmgate.limit;

import java.util.List;

/**
 * Where the state of rate limits and budgets lives: this process ({@code limits.store: memory}) or
 * a Redis server shared by every replica ({@code redis}). Both implement the same arithmetic (see
 * {@link Limit.Rate} and {@link Limit.Budget}); times are passed in, never read from a clock here,
 * so tests control them and replicas agree on periods.
 *
 * <p>Implementations are thread-safe. State a limit no longer uses (a key removed from the policy)
 * may be kept until it expires; a bucket untouched for a minute is full again and may be dropped.
 */
public interface LimitStore extends AutoCloseable {

  /**
   * Admits a request against all of its limits at once: when every rate bucket holds at least 1 and
   * every budget's current period is below its amount, takes 1 from each {@code REQUESTS} bucket
   * and returns {@link Verdict#ADMITTED}; otherwise changes nothing and returns the refusal with
   * the longest Retry-After among the limits that refuse. Atomic with respect to every other call
   * on the same state, from any replica — except that a store shared by replicas may answer from a
   * lease of admissions it took earlier ({@code RedisLimitStore}): its {@code REQUESTS} buckets
   * stay exact, its {@code TOKENS} buckets and budgets may not yet see what other replicas charged
   * within the lease (a bounded overshoot its documentation states).
   *
   * @param nowMillis the current time (epoch milliseconds, UTC)
   */
  Verdict acquire(List<Limit> limits, long nowMillis) throws LimitStoreException;

  /**
   * Charges what a response used: {@code tokens} to each {@code TOKENS} bucket and {@code TOKENS}
   * budget, {@code usd} to each {@code USD} budget (nothing when {@code usd} is null: the price is
   * unknown). Budgets are charged to the period that contains {@code arrivalMillis}; buckets refill
   * up to {@code nowMillis} first. {@code REQUESTS} buckets are not touched.
   */
  void charge(List<Limit> limits, long tokens, Double usd, long arrivalMillis, long nowMillis)
      throws LimitStoreException;

  /**
   * Whether a call waits on another process (a network round trip). The core then charges finished
   * exchanges from a thread of its own, so that no response waits for its charge; a store held in
   * this process is charged on the finishing thread.
   */
  default boolean remote() {
    return false;
  }

  /** Releases connections; later calls may fail. */
  @Override
  void close();
}
