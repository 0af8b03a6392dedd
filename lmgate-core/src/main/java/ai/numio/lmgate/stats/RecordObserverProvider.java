package ai.numio.lmgate.stats;

import ai.numio.lmgate.config.LMGateConfig;
import java.util.Optional;

/**
 * A {@link RecordObserver} another module provides (the OpenTelemetry export of {@code
 * lmgate-otel}), found with {@link java.util.ServiceLoader} when {@link ai.numio.lmgate.LMGate}
 * starts: the module lists its implementation in {@code
 * META-INF/services/ai.numio.lmgate.stats.RecordObserverProvider}, so neither the core nor an
 * adapter depends on it. An observer that is also {@link AutoCloseable} is closed by {@link
 * ai.numio.lmgate.LMGate#close()} after the last record (to flush what it still holds).
 */
public interface RecordObserverProvider {

  /**
   * The observer this configuration asks for, or empty when its feature is off — and then the
   * provider creates nothing (no thread, no client): an unused module costs nothing.
   *
   * @throws IllegalStateException when the feature is on but cannot start
   */
  Optional<RecordObserver> open(LMGateConfig config);
}
