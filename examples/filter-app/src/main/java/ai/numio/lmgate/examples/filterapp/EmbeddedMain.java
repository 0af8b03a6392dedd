package ai.numio.lmgate.examples.filterapp;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.ConfigException;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.cost.PriceTableException;
import ai.numio.lmgate.filter.LMGateFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The example app on embedded Tomcat, with LMGate registered in code instead of {@code web.xml}:
 * one {@link LMGate} core started from the LMGate configuration, {@code new LMGateFilter(gate)}
 * before {@link AskServlet}.
 *
 * <p>LMGate's configuration as everywhere ({@code LMGATE_CONFIG}, else {@code config/lmgate.yaml}
 * in the working directory, else the defaults; {@code LMGATE_*} overrides). The app's own settings:
 * {@code APP_PORT} (default 8080) and {@value AskServlet#UPSTREAM_ENV} (default {@value
 * AskServlet#DEFAULT_UPSTREAM}).
 */
public final class EmbeddedMain {

  private EmbeddedMain() {}

  /** Runs the app until the JVM is stopped (Ctrl-C, SIGTERM); exit 2 on invalid configuration. */
  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    LMGate gate;
    URI upstream;
    int port;
    try {
      LMGateConfig config = ConfigLoader.load(Optional.empty(), env, Path.of(""));
      upstream = AskServlet.configuredUpstream(null, env);
      port = port(env.getOrDefault("APP_PORT", "8080"));
      gate = LMGate.start(config);
    } catch (ConfigException e) {
      exit("invalid LMGate configuration" + bullets(e.problems()));
      return;
    } catch (AllowListException e) {
      exit("invalid allow-list" + bullets(e.problems()));
      return;
    } catch (PriceTableException e) {
      exit("invalid price table (pricing.path)" + bullets(e.problems()));
      return;
    } catch (ServletException | IllegalArgumentException e) {
      exit(e.getMessage());
      return;
    }
    Path baseDir = Files.createTempDirectory("filter-app-tomcat");
    Tomcat tomcat;
    try {
      tomcat = start(gate, upstream, "0.0.0.0", port, baseDir);
    } catch (LifecycleException e) {
      gate.close();
      exit("Tomcat did not start on port " + port + ": " + e.getMessage());
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop(tomcat);
                  gate.close(); // writes every queued usage record
                  deleteRecursively(baseDir);
                },
                "filter-app-shutdown"));
    System.out.println(
        "filter-app on http://localhost:"
            + tomcat.getConnector().getLocalPort()
            + "/openai/v1/chat/completions -> "
            + upstream
            + "; usage records to "
            + gate.config().stats().outputPath());
    tomcat.getServer().await();
  }

  /**
   * Starts embedded Tomcat with the app at the root context: LMGate's filter on {@code gate} (which
   * the caller owns and closes after stopping Tomcat) before {@link AskServlet} at {@code
   * /openai/*}.
   *
   * @param port 0 for any free port
   */
  static Tomcat start(LMGate gate, URI upstream, String host, int port, Path baseDir)
      throws LifecycleException {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setProperty("address", host);
    connector.setPort(port);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", baseDir.toString());
    context.addServletContainerInitializer(
        (classes, servletContext) -> register(servletContext, gate, upstream), null);
    tomcat.start();
    return tomcat;
  }

  /**
   * The registration itself, in plain Servlet API (the same in any container): the filter first, on
   * every path, then the app's servlet.
   */
  static void register(ServletContext servletContext, LMGate gate, URI upstream) {
    FilterRegistration.Dynamic lmgate = servletContext.addFilter("lmgate", new LMGateFilter(gate));
    lmgate.setAsyncSupported(true);
    lmgate.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");

    ServletRegistration.Dynamic ask = servletContext.addServlet("ask", new AskServlet(upstream));
    ask.addMapping("/openai/*");
    ask.setLoadOnStartup(1);
  }

  private static void stop(Tomcat tomcat) {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      System.err.println("filter-app: Tomcat did not stop cleanly: " + e.getMessage());
    }
  }

  /** Tomcat's scratch directory, gone with the app. */
  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("filter-app: could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "environment variable APP_PORT is \"" + value + "\": expected a port, 0 to 65535");
  }

  private static String bullets(Iterable<String> problems) {
    StringBuilder out = new StringBuilder();
    problems.forEach(p -> out.append("\n  - ").append(p));
    return out.toString();
  }

  private static void exit(String message) {
    System.err.println("filter-app cannot start: " + message);
    System.exit(2);
  }
}
