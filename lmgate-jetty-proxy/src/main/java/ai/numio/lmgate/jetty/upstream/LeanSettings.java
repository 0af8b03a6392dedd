package ai.numio.lmgate.jetty.upstream;

import ai.numio.lmgate.config.LMGateConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link LeanUpstream} needs from {@code upstream.*}, as durations (tests use sub-second pool
 * timeouts).
 *
 * @param connectTimeout {@code upstream.connect_timeout_seconds}: time allowed to open a connection
 * @param idleTimeout {@code upstream.idle_timeout_seconds}: time the upstream may stay silent while
 *     LMGate waits for it (the head, the next body bytes, a write to drain)
 * @param poolIdleTimeout {@code upstream.pool_idle_timeout_seconds}: how long an idle connection is
 *     kept for reuse (shortened by a response's {@code Keep-Alive: timeout=})
 */
record LeanSettings(Duration connectTimeout, Duration idleTimeout, Duration poolIdleTimeout) {

  LeanSettings {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || idleTimeout.isNegative()
        || idleTimeout.isZero()
        || poolIdleTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "upstream timeouts must be positive: connect "
              + connectTimeout
              + ", idle "
              + idleTimeout
              + ", pool idle "
              + poolIdleTimeout);
    }
  }

  /** The settings of validated {@code upstream.*} configuration. */
  static LeanSettings from(LMGateConfig.Upstream upstream) {
    return new LeanSettings(
        Duration.ofSeconds(upstream.connectTimeoutSeconds()),
        Duration.ofSeconds(upstream.idleTimeoutSeconds()),
        Duration.ofSeconds(upstream.poolIdleTimeoutSeconds()));
  }
}
