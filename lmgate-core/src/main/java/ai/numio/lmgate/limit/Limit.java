package ai.numio.lmgate.limit;

import java.util.Objects;

/**
 * One limit a policy puts on a scope (a key or an owner), as the {@link LimitStore} holds it. The
 * {@link #scope()} names whose limit it is ({@code key:<id>} or {@code owner:<name>}); limits of
 * the same kind and scope share one state, wherever they are checked from.
 */
public sealed interface Limit {

  /** Whose limit: {@code key:<allow-list id>} or {@code owner:<owner>}. */
  String scope();

  /** What a rate bucket counts. */
  enum Counted {
    /** One per request, taken when the request is admitted ({@code rpm}). */
    REQUESTS,
    /** Input + output tokens, taken when the response ends ({@code tpm}). */
    TOKENS
  }

  /** What a budget counts. */
  enum Unit {
    /** The records' {@code cost_usd}. */
    USD,
    /** Input + output tokens. */
    TOKENS
  }

  /** A budget's period, in UTC. */
  enum Period {
    DAY,
    MONTH
  }

  /**
   * A token bucket per minute (SPEC-2 §14): capacity {@code perMinute}, refilled continuously at
   * {@code perMinute} per 60 s, full at first use. A request is admitted while the bucket holds at
   * least 1; a {@code REQUESTS} bucket gives 1 at admission, a {@code TOKENS} bucket gives the
   * response's tokens when it ends and may go below zero (the request that crosses the limit
   * completes; the caller then waits until the bucket holds 1 again).
   */
  record Rate(String scope, Counted counted, long perMinute) implements Limit {
    public Rate {
      Objects.requireNonNull(scope);
      Objects.requireNonNull(counted);
      if (perMinute <= 0) {
        throw new IllegalArgumentException("perMinute must be positive, got " + perMinute);
      }
    }
  }

  /**
   * A budget per UTC day or calendar month: a request is admitted while the amount spent in the
   * current period is below {@code amount}; spending is added when a response ends, to the period
   * of the request's arrival.
   */
  record Budget(String scope, Unit unit, double amount, Period period) implements Limit {
    public Budget {
      Objects.requireNonNull(scope);
      Objects.requireNonNull(unit);
      Objects.requireNonNull(period);
      if (!(amount > 0) || Double.isInfinite(amount)) {
        throw new IllegalArgumentException("amount must be positive, got " + amount);
      }
    }
  }
}
