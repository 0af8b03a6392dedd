package ai.numio.lmgate.servlet;

import ai.numio.lmgate.config.ConfigException;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LoadedConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a webapp component declared in {@code web.xml} — the LMGate filter, the WAR's forwarding
 * servlet — finds its configuration: the YAML file named by its init-param {@code config}, else by
 * the context init-param {@code lmgate.config}, else as {@link ConfigLoader} chooses ({@code
 * LMGATE_CONFIG}, {@code config/lmgate.yaml}, the defaults); {@code LMGATE_*} environment overrides
 * apply in every case.
 *
 * @param file the named file, or empty to leave the choice to {@link ConfigLoader}
 * @param origin where the file was named, for messages
 */
public record WebappConfig(Optional<Path> file, String origin) {

  /** The component's init-param naming the YAML file. */
  public static final String INIT_PARAM = "config";

  /** The context init-param naming the YAML file, shared by every component of the webapp. */
  public static final String CONTEXT_PARAM = "lmgate.config";

  /**
   * Finds the file from the component's init-param value and the context; blank values count as
   * absent.
   *
   * @param component how messages name the component, e.g. {@code LMGate filter 'lmgate'}
   */
  public static WebappConfig locate(String initParam, ServletContext context, String component)
      throws ServletException {
    String origin = "init-param '" + INIT_PARAM + "'";
    String file = nonBlank(initParam);
    if (file == null && context != null) {
      file = nonBlank(context.getInitParameter(CONTEXT_PARAM));
      origin = "context init-param '" + CONTEXT_PARAM + "'";
    }
    if (file == null) {
      return new WebappConfig(
          Optional.empty(), "environment variable LMGATE_CONFIG, else the defaults");
    }
    try {
      return new WebappConfig(Optional.of(Path.of(file)), origin);
    } catch (InvalidPathException e) {
      throw new ServletException(
          component
              + " cannot start: "
              + origin
              + " is not a valid path: \""
              + file
              + "\" ("
              + e.getReason()
              + ")");
    }
  }

  /** Loads it; every problem is listed in the exception, each naming key, value and origin. */
  public LoadedConfig load(Map<String, String> env, Path workingDir, String component)
      throws ServletException {
    try {
      return ConfigLoader.loadWithSource(file, env, workingDir);
    } catch (ConfigException e) {
      throw new ServletException(
          component
              + " cannot start: invalid configuration (file from "
              + origin
              + ")"
              + bullets(e.problems()));
    }
  }

  /** Problems as an indented list, one per line. */
  public static String bullets(List<String> problems) {
    return problems.stream().map(p -> "\n  - " + p).collect(Collectors.joining());
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
