package ai.numio.lmgate.filter;

import ai.numio.lmgate.config.ConfigException;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.config.LoadedConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and loads the configuration of a {@link ForwardingServlet} declared in {@code web.xml}: the
 * file named by the servlet's init-param {@code config}, else by the context init-param {@code
 * lmgate.config}, else as {@link ConfigLoader} chooses ({@code LMGATE_CONFIG}, {@code
 * config/lmgate.yaml}, built-in defaults); {@code LMGATE_*} environment overrides apply.
 */
final class ForwardingConfigLoader {

  /** The servlet init-param naming the YAML file. */
  static final String SERVLET_PARAM = "config";

  /** The context init-param naming the YAML file. */
  static final String CONTEXT_PARAM = "lmgate.config";

  private static final Logger log = LoggerFactory.getLogger(ForwardingConfigLoader.class);

  private ForwardingConfigLoader() {}

  /** Loads the configuration from the process environment and working directory. */
  static LMGateConfig load(ServletConfig servletConfig) throws ServletException {
    return load(servletConfig, System.getenv(), Path.of("").toAbsolutePath());
  }

  /**
   * Loads the configuration.
   *
   * @throws ServletException listing every problem found, each naming key, value and origin
   */
  static LMGateConfig load(ServletConfig servletConfig, Map<String, String> env, Path workingDir)
      throws ServletException {
    String servletName = servletConfig.getServletName();
    String where = null;
    String file = nonBlank(servletConfig.getInitParameter(SERVLET_PARAM));
    if (file != null) {
      where = "servlet init-param '" + SERVLET_PARAM + "'";
    } else {
      file = nonBlank(servletConfig.getServletContext().getInitParameter(CONTEXT_PARAM));
      if (file != null) {
        where = "context init-param '" + CONTEXT_PARAM + "'";
      }
    }
    Optional<Path> explicit;
    try {
      explicit = file == null ? Optional.empty() : Optional.of(Path.of(file));
    } catch (InvalidPathException e) {
      throw new ServletException(
          "LMGate servlet '"
              + servletName
              + "': configuration file '"
              + file
              + "' (from "
              + where
              + ") is not a valid path: "
              + e.getReason());
    }
    try {
      LoadedConfig loaded = ConfigLoader.loadWithSource(explicit, env, workingDir);
      log.info(
          "LMGate servlet '{}' forwards by {}",
          servletName,
          loaded.source().map(p -> "configuration file " + p).orElse("the built-in defaults"));
      return loaded.config();
    } catch (ConfigException e) {
      throw new ServletException(
          "LMGate servlet '"
              + servletName
              + "': invalid configuration"
              + (where == null ? "" : " (file named by " + where + ")")
              + ":\n  - "
              + String.join("\n  - ", e.problems()));
    }
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
