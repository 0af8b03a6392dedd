package ai.numio.lmgate.redis;

/**
 * How large and how long a replica's leases are (see {@link RedisLimitStore}).
 *
 * @param maxGrant the most admissions one lease grants (and request tokens it takes from each
 *     {@code REQUESTS} bucket)
 * @param divisor a lease takes at most 1/divisor of what a limit has left: of a bucket's request
 *     tokens, of a tokens bucket's or budget's headroom counted in this replica's average charge
 * @param ageMillis how long a lease answers locally; 0: never (every acquire asks Redis, as before
 *     leases)
 */
record LeaseTerms(int maxGrant, int divisor, long ageMillis) {

  /**
   * 16 admissions at most, an eighth of what is left, for 500 ms: eight replicas leasing at once
   * still fit in what a limit has left; see docs/performance.md for the measurement behind them.
   */
  static final LeaseTerms DEFAULT = new LeaseTerms(16, 8, 500);

  /** No leases: every acquire is one Redis call (the store before leases; for measurements). */
  static final LeaseTerms NONE = new LeaseTerms(1, 8, 0);

  LeaseTerms {
    if (maxGrant < 1 || divisor < 1 || ageMillis < 0) {
      throw new IllegalArgumentException(
          "lease terms must be positive: " + maxGrant + ", " + divisor + ", " + ageMillis);
    }
  }
}
