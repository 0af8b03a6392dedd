package ai.numio.lmgate.filter;

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
 */
record FilterSettings(
    String filterName, Optional<Path> configFile, String configOrigin, Optional<String> provider) {

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
    return new FilterSettings(
        filterName,
        config.file(),
        config.origin(),
        Optional.ofNullable(provider == null || provider.isBlank() ? null : provider.trim()));
  }
}
