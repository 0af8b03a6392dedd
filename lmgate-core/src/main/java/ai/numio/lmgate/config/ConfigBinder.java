package ai.numio.lmgate.config;

import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Coerces and validates layered settings into an {@link LMGateConfig}, adding one problem per bad
 * value (key, value and origin) so that every mistake is reported at once.
 */
final class ConfigBinder {

  /** A coercion of a setting text. */
  @FunctionalInterface
  private interface Coercion<T> {
    T apply(String text) throws Coercions.BadValue;
  }

  private final RawSettings raw;
  private final Path workingDir;
  private final Problems problems;

  private ConfigBinder(RawSettings raw, Path workingDir, Problems problems) {
    this.raw = raw;
    this.workingDir = workingDir;
    this.problems = problems;
  }

  /**
   * The configuration, or empty when a setting is invalid (then the problems say why).
   *
   * @param workingDir absolute; relative paths resolve against it
   */
  static Optional<LMGateConfig> bind(RawSettings raw, Path workingDir, Problems problems) {
    return new ConfigBinder(raw, workingDir, problems).bind();
  }

  private Optional<LMGateConfig> bind() {
    int before = problems.size();
    LMGateConfig.Server server =
        new LMGateConfig.Server(
            setting("server.host", Coercions::host).orElse(""),
            intSetting("server.port", 1, 65535),
            intSetting("server.shutdown_grace_seconds", 0, Integer.MAX_VALUE),
            setting("server.error_format", Coercions::errorFormat).orElse(ErrorFormat.LMGATE));
    LMGateConfig.Auth auth =
        new LMGateConfig.Auth(
            pathSetting("auth.allowlist_path"),
            intSetting("auth.poll_interval_seconds", 1, Integer.MAX_VALUE));
    LMGateConfig.Stats stats =
        new LMGateConfig.Stats(
            pathSetting("stats.output_path"),
            intSetting("stats.flush_interval_seconds", 1, Integer.MAX_VALUE),
            setting("stats.max_file_bytes", t -> Coercions.integer(t, 1, Long.MAX_VALUE))
                .orElse(0L),
            intSetting("stats.queue_capacity", 1, Integer.MAX_VALUE),
            intSetting("stats.max_event_bytes", 1, Integer.MAX_VALUE));
    LMGateConfig.Upstream upstream =
        new LMGateConfig.Upstream(
            intSetting("upstream.connect_timeout_seconds", 1, Integer.MAX_VALUE),
            intSetting("upstream.idle_timeout_seconds", 1, Integer.MAX_VALUE),
            setting("upstream.forwarded_headers", Coercions::bool).orElse(false));
    LMGateConfig.Logging logging =
        new LMGateConfig.Logging(setting("logging.level", Coercions::level).orElse("INFO"));
    List<Route> routes = routes();
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new LMGateConfig(server, auth, stats, upstream, logging, routes));
  }

  private List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    Map<String, String> routeByPrefix = new HashMap<>();
    for (RawSettings.RawRoute route : raw.routes()) {
      String path = ConfigSchema.PROVIDERS + "." + route.name() + ".";
      RawValue enabled = route.get(ConfigSchema.ENABLED);
      if (enabled != null
          && !coerce(path + ConfigSchema.ENABLED, enabled, Coercions::bool).orElse(true)) {
        continue;
      }
      boolean builtIn = ConfigSchema.defaultRoute(route.name()).isPresent();
      RawValue prefixValue = route.get(ConfigSchema.PREFIX);
      if (prefixValue == null) {
        prefixValue =
            new RawValue(
                "/" + route.name() + "/",
                "default prefix of route " + route.name() + ", declared at " + route.origin());
      }
      Optional<String> prefix = coerce(path + ConfigSchema.PREFIX, prefixValue, Coercions::prefix);
      Optional<URI> upstream = required(route, builtIn, ConfigSchema.UPSTREAM, Coercions::upstream);
      Optional<Format> format = required(route, builtIn, ConfigSchema.FORMAT, Coercions::format);
      if (prefix.isPresent()) {
        String owner = routeByPrefix.putIfAbsent(prefix.get(), route.name());
        if (owner != null) {
          problems.add(
              path + ConfigSchema.PREFIX,
              Problems.quote(prefix.get())
                  + " is already the prefix of route "
                  + owner
                  + "; each route needs its own prefix",
              prefixValue.origin());
          continue;
        }
      }
      if (prefix.isPresent() && upstream.isPresent() && format.isPresent()) {
        routes.add(new Route(route.name(), prefix.get(), upstream.get(), format.get()));
      }
    }
    return routes;
  }

  /** A route key that a route which is not built in must give. */
  private <T> Optional<T> required(
      RawSettings.RawRoute route, boolean builtIn, String key, Coercion<T> coercion) {
    String path = ConfigSchema.PROVIDERS + "." + route.name() + "." + key;
    RawValue value = route.get(key);
    if (value == null) {
      if (!builtIn) {
        problems.addRaw(
            path
                + " is missing; a route that is not built in needs upstream and format (route "
                + route.name()
                + " declared at "
                + route.origin()
                + ")");
      }
      return Optional.empty();
    }
    return coerce(path, value, coercion);
  }

  private int intSetting(String path, int min, int max) {
    return setting(path, t -> (int) Coercions.integer(t, min, max)).orElse(0);
  }

  private Path pathSetting(String path) {
    return setting(path, t -> Coercions.path(t, workingDir)).orElse(workingDir);
  }

  private <T> Optional<T> setting(String path, Coercion<T> coercion) {
    return coerce(path, raw.get(path), coercion);
  }

  private <T> Optional<T> coerce(String path, RawValue value, Coercion<T> coercion) {
    if (value.text() == null) {
      problems.addRaw(path + " has no value (" + value.origin() + ")");
      return Optional.empty();
    }
    try {
      return Optional.of(coercion.apply(value.text()));
    } catch (Coercions.BadValue e) {
      problems.add(path, e.getMessage(), value.origin());
      return Optional.empty();
    }
  }
}
