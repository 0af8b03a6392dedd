package ai.numio.lmgate.filter;

import ai.numio.lmgate.servlet.WebappConfig;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The filter's settings from its deployment, read once at {@code init}.
 *
 * @param filterName the filter's name, for messages
 * @param configFile the YAML file named by init-param {@code config}, else by context init-param
 *     {@code lmgate.config}; empty leaves the choice to {@code LMGATE_CONFIG} and the defaults
 * @param configOrigin where {@code configFile} was named, for messages
 * @param provider the route name from init-param {@code provider}: every request is metered as that
 *     route; empty to choose by the path
 * @param rejectUnrouted init-param {@code unrouted} is {@code reject}: a path under no route is
 *     answered 404 (400 for a path that tries to leave its route) before authorization, as the
 *     standalone gateway does; {@code record} (the default) authorizes and records it as {@code
 *     unknown}
 */
record FilterSettings(
    String filterName,
    Optional<Path> configFile,
    String configOrigin,
    Optional<String> provider,
    boolean rejectUnrouted) {

  /** Reads the init-params; blank values count as absent. */
  static FilterSettings read(FilterConfig filterConfig) throws ServletException {
    String name = filterConfig.getFilterName();
    String filterName = name == null ? LMGateFilter.class.getSimpleName() : name;
    WebappConfig config =
        WebappConfig.locate(
            filterConfig.getInitParameter(LMGateFilter.CONFIG_PARAM),
            filterConfig.getServletContext(),
            "LMGate filter '" + filterName + "'");
    String provider = filterConfig.getInitParameter(LMGateFilter.PROVIDER_PARAM);
    String unrouted = filterConfig.getInitParameter(LMGateFilter.UNROUTED_PARAM);
    String mode = unrouted == null || unrouted.isBlank() ? "record" : unrouted.trim();
    if (!mode.equals("record") && !mode.equals("reject")) {
      throw new ServletException(
          "LMGate filter '"
              + filterName
              + "' cannot start: init-param '"
              + LMGateFilter.UNROUTED_PARAM
              + "' is \""
              + mode
              + "\"; use record (the default) or reject");
    }
    return new FilterSettings(
        filterName,
        config.file(),
        config.origin(),
        Optional.ofNullable(provider == null || provider.isBlank() ? null : provider.trim()),
        mode.equals("reject"));
  }
}
