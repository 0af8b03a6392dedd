package ai.numio.lmgate.filter;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.nio.file.InvalidPathException;
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
    String origin = "init-param '" + LMGateFilter.CONFIG_PARAM + "'";
    String file = param(filterConfig.getInitParameter(LMGateFilter.CONFIG_PARAM));
    if (file == null) {
      ServletContext context = filterConfig.getServletContext();
      file =
          context == null
              ? null
              : param(context.getInitParameter(LMGateFilter.CONTEXT_CONFIG_PARAM));
      origin = "context init-param '" + LMGateFilter.CONTEXT_CONFIG_PARAM + "'";
    }
    if (file == null) {
      origin = "environment variable LMGATE_CONFIG, else the defaults";
    }
    Optional<Path> configFile = Optional.empty();
    if (file != null) {
      try {
        configFile = Optional.of(Path.of(file));
      } catch (InvalidPathException e) {
        throw new ServletException(
            "LMGate filter '"
                + filterName
                + "' cannot start: "
                + origin
                + " is not a valid path: \""
                + file
                + "\" ("
                + e.getReason()
                + ")");
      }
    }
    return new FilterSettings(
        filterName,
        configFile,
        origin,
        Optional.ofNullable(param(filterConfig.getInitParameter(LMGateFilter.PROVIDER_PARAM))));
  }

  private static String param(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
