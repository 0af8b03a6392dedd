package ai.numio.lmgate.redis;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.config.LimitStoreKind;
import ai.numio.lmgate.limit.LimitStore;
import ai.numio.lmgate.limit.LimitStoreProvider;

/**
 * {@code limits.store: redis}: found by the core through {@link java.util.ServiceLoader} when this
 * module is on the class path (the standalone jar and the WAR bundle it; a webapp adds it as a
 * dependency). Opening connects nothing yet: an unreachable Redis shows as failing calls, handled
 * by {@code limits.on_store_error}, not as a gateway that will not start.
 */
public final class RedisLimitStoreProvider implements LimitStoreProvider {

  @Override
  public LimitStoreKind kind() {
    return LimitStoreKind.REDIS;
  }

  @Override
  public LimitStore open(LMGateConfig config) {
    return RedisLimitStore.connect(config.limits().redisUrl().toString());
  }
}
