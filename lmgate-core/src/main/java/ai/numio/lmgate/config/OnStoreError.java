package ai.numio.lmgate.config;

import java.util.Locale;

/** {@code limits.on_store_error}: what a request meets when the limit store cannot answer. */
public enum OnStoreError {
  /** The request passes unlimited (logged at most once a minute, counted). */
  ALLOW,
  /** The request is refused {@code 503 limit_store_unavailable}. */
  DENY;

  /** The name used in configuration. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
