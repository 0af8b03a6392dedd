package ai.numio.lmgate.forward;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.config.LoadedConfig;
import ai.numio.lmgate.servlet.WebappConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and loads the configuration of a {@link ForwardingServlet} declared in {@code web.xml}: the
 * file named by the servlet's init-param {@code config}, else by the context init-param {@code
 * lmgate.config}, else as {@link ConfigLoader} chooses ({@code LMGATE_CONFIG}, {@code
 * config/lmgate.yaml}, built-in defaults); {@code LMGATE_*} environment overrides apply.
 */
final class ForwardingConfigLoader {

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
    String component = "LMGate servlet '" + servletConfig.getServletName() + "'";
    LoadedConfig loaded =
        WebappConfig.locate(
                servletConfig.getInitParameter(WebappConfig.INIT_PARAM),
                servletConfig.getServletContext(),
                component)
            .load(env, workingDir, component);
    log.info(
        "{} forwards by {}",
        component,
        loaded.source().map(p -> "configuration file " + p).orElse("the built-in defaults"));
    return loaded.config();
  }
}
