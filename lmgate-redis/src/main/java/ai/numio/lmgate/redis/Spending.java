package ai.numio.lmgate.redis;

/**
 * What this replica charged to one {@code TOKENS} bucket or budget (whatever its period): the total
 * since the store opened, the part in the flush now in flight, and the average charge per request.
 * A lease's view of the limit is its Redis snapshot plus what was charged here since (the total now
 * minus the part the snapshot already holds).
 *
 * <p>{@code issued} and {@code inflight} change only under the store's pending lock; {@code issued}
 * is read without it by leases answering locally.
 */
final class Spending {

  /** Everything charged here (tokens, or nano-dollars). */
  volatile long issued;

  /** The part of {@link #issued} in the flush in flight; guarded by the pending lock. */
  long inflight;

  /** The average charge per request, a moving average over the last ~8; -1 until one is seen. */
  volatile long average = -1;

  /** When a charge or a lease last used this (epoch ms, the store's clock); for the sweep. */
  volatile long lastUsed;

  /** Adds a charge (under the pending lock). */
  void add(long amount, long now) {
    issued += amount;
    sample(amount);
    lastUsed = now;
  }

  /** Counts a request's charge into the average without charging it (an unknown price: 0). */
  void sample(long amount) {
    long avg = average;
    average = avg < 0 ? amount : avg + (amount - avg) / 8;
  }
}
