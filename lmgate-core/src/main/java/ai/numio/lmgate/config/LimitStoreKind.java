package ai.numio.lmgate.config;

import java.util.Locale;

/** {@code limits.store}: where rate limits and budgets are held. */
public enum LimitStoreKind {
  /** In this process: each replica holds its own limits. */
  MEMORY,
  /** In the Redis server of {@code limits.redis_url}, shared by every replica. */
  REDIS;

  /** The name used in configuration. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
