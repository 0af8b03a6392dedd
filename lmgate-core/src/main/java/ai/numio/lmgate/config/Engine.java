package ai.numio.lmgate.config;

import java.util.Locale;
import java.util.Optional;

/** {@code server.engine}: how the standalone gateway forwards requests to their upstream. */
public enum Engine {
  /** LMGate's own non-blocking upstream engine behind a Jetty core handler. */
  LEAN,
  /** Jetty's {@code ProxyServlet}, as {@code LMGateProxyServlet}. */
  SERVLET;

  /** The name used in configuration. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a configuration value, case-insensitively; empty if it names no engine. */
  public static Optional<Engine> parse(String value) {
    for (Engine e : values()) {
      if (e.configName().equalsIgnoreCase(value.trim())) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
