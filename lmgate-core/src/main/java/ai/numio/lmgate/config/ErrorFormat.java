package ai.numio.lmgate.config;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code server.error_format}: how LMGate shapes the errors it answers itself (403, 404, 502 …).
 */
public enum ErrorFormat {
  /** LMGate's own {@code {"error":"<type>","message":"..."}} (SPEC §5). */
  LMGATE,
  /**
   * Shaped like the route's provider answers its errors, so that official SDKs show the message and
   * raise the matching exception; LMGate's own shape where no route is known.
   */
  PROVIDER;

  /** The name used in configuration. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a configuration value, case-insensitively; empty if it names no format. */
  public static Optional<ErrorFormat> parse(String value) {
    for (ErrorFormat f : values()) {
      if (f.configName().equalsIgnoreCase(value.trim())) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
