package ai.numio.lmgate.limit;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.config.LimitStoreKind;
import java.util.ServiceLoader;

/**
 * Opens the {@link LimitStore} a gate counts its limits in. {@link #standard()} is what {@link
 * ai.numio.lmgate.LMGate#start} uses: {@link MemoryLimitStore} for {@code limits.store: memory},
 * and for another store the {@link LimitStoreProvider} of that kind on the class path. An adapter
 * or a test may pass its own.
 */
@FunctionalInterface
public interface LimitStoreFactory {

  /**
   * The store for this configuration.
   *
   * @throws LimitStoreException when the store cannot be reached at start
   */
  LimitStore open(LMGateConfig config) throws LimitStoreException;

  /** Memory, or the provider found by {@link ServiceLoader} for {@code limits.store}. */
  static LimitStoreFactory standard() {
    return config -> {
      LimitStoreKind kind = config.limits().store();
      if (kind == LimitStoreKind.MEMORY) {
        return new MemoryLimitStore();
      }
      for (LimitStoreProvider provider : ServiceLoader.load(LimitStoreProvider.class)) {
        if (provider.kind() == kind) {
          return provider.open(config);
        }
      }
      throw new IllegalStateException(
          "limits.store: "
              + kind.configName()
              + " needs the lmgate-"
              + kind.configName()
              + " module on the class path (the standalone jar bundles it; a webapp adds it as a"
              + " Maven dependency)");
    };
  }

  /** Always this store (tests, benchmarks). */
  static LimitStoreFactory of(LimitStore store) {
    return config -> store;
  }
}
