package ai.numio.lmgate.limit;

/**
 * What a {@link LimitStore} answered for a request: admitted, or refused by one limit until {@code
 * retryAfterSeconds} have passed.
 *
 * @param refusedBy the limit that refused; null when admitted
 * @param retryAfterSeconds whole seconds, at least 1, until the limit would admit again (a rate
 *     bucket holds 1 again; a budget's period ends); 0 when admitted
 */
public record Verdict(Limit refusedBy, long retryAfterSeconds) {

  /** Admitted. */
  public static final Verdict ADMITTED = new Verdict(null, 0);

  public Verdict {
    if (refusedBy != null && retryAfterSeconds < 1) {
      throw new IllegalArgumentException("a refusal needs Retry-After >= 1 s");
    }
  }

  /** Refused by the limit for the given seconds. */
  public static Verdict refused(Limit limit, long retryAfterSeconds) {
    return new Verdict(limit, Math.max(1, retryAfterSeconds));
  }

  public boolean admitted() {
    return refusedBy == null;
  }
}
