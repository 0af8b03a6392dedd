package ai.numio.lmgate.config;

import ai.numio.lmgate.route.Route;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole validated configuration. Built once by {@link ConfigLoader}; immutable.
 *
 * @param routes in configuration order; prefixes are unique
 */
public record LMGateConfig(
    Server server, Auth auth, Stats stats, Upstream upstream, Logging logging, List<Route> routes) {

  public LMGateConfig {
    routes = List.copyOf(routes);
  }

  /**
   * The built-in defaults of SPEC §7 (no file, no environment), relative paths resolved against
   * {@code workingDir}.
   */
  public static LMGateConfig defaults(Path workingDir) {
    return ConfigLoader.defaults(workingDir);
  }

  /** {@code server.*}. */
  public record Server(String host, int port, int shutdownGraceSeconds, ErrorFormat errorFormat) {}

  /** {@code auth.*}; the path is absolute. */
  public record Auth(Path allowlistPath, int pollIntervalSeconds) {}

  /** {@code stats.*}; the path is absolute. */
  public record Stats(
      Path outputPath,
      int flushIntervalSeconds,
      long maxFileBytes,
      int queueCapacity,
      int maxEventBytes) {}

  /**
   * {@code upstream.*}.
   *
   * @param forwardedHeaders whether to add {@code Via} and {@code X-Forwarded-*} to forwarded
   *     requests (off by default: the provider sees the request as the client sent it)
   */
  public record Upstream(
      int connectTimeoutSeconds, int idleTimeoutSeconds, boolean forwardedHeaders) {}

  /** {@code logging.*}; level is one of TRACE, DEBUG, INFO, WARN, ERROR, OFF. */
  public record Logging(String level) {}
}
