package ai.numio.lmgate.limit;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.config.LimitStoreKind;

/**
 * A limit store another module provides (the Redis store of {@code lmgate-redis}), found with
 * {@link java.util.ServiceLoader}: the module lists its implementation in {@code
 * META-INF/services/ai.numio.lmgate.limit.LimitStoreProvider}, so the core never depends on it.
 */
public interface LimitStoreProvider {

  /** The {@code limits.store} this provider serves. */
  LimitStoreKind kind();

  /**
   * Opens the store for this configuration ({@code limits.redis_url}, timeouts …).
   *
   * @throws LimitStoreException when the store cannot be reached at start
   */
  LimitStore open(LMGateConfig config) throws LimitStoreException;
}
