package ai.numio.lmgate.forward;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * Embedded Tomcat 10.1 on a free loopback port with one {@link ForwardingServlet} mapped to {@code
 * /*} under a context path, every default route pointed at one upstream.
 */
final class ForwardingTomcat implements AutoCloseable {

  private final Tomcat tomcat;
  private final Connector connector;
  private final String contextPath;

  /** Sees every exchange as a filter in front of the servlet would. */
  final OutcomeProbe probe;

  private ForwardingTomcat(
      Tomcat tomcat, Connector connector, String contextPath, OutcomeProbe probe) {
    this.tomcat = tomcat;
    this.connector = connector;
    this.contextPath = contextPath;
    this.probe = probe;
  }

  /** The configuration the tests use: all four default routes go to {@code upstream}. */
  static LMGateConfig config(Path dir, URI upstream, Map<String, String> extraEnv)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("LMGATE_AUTH__ALLOWLIST_PATH", dir.resolve("allowlist.csv").toString());
    env.put("LMGATE_STATS__OUTPUT_PATH", dir.resolve("stats.jsonl").toString());
    env.put("LMGATE_UPSTREAM__CONNECT_TIMEOUT_SECONDS", "2");
    for (String route : List.of("OPENAI", "ANTHROPIC", "GOOGLE", "GEMINI")) {
      env.put("LMGATE_PROVIDERS__" + route + "__UPSTREAM", upstream.toString());
    }
    env.putAll(extraEnv);
    return ConfigLoader.load(Optional.empty(), env, dir);
  }

  static ForwardingTomcat start(Path dir, URI upstream) throws Exception {
    return start(dir, "", config(dir, upstream, Map.of()));
  }

  static ForwardingTomcat start(Path dir, URI upstream, Map<String, String> extraEnv)
      throws Exception {
    return start(dir, "", config(dir, upstream, extraEnv));
  }

  /** Tomcat with {@code new ForwardingServlet(config)} at {@code /*} under {@code contextPath}. */
  static ForwardingTomcat start(Path dir, String contextPath, LMGateConfig config)
      throws LifecycleException, IOException {
    return start(dir, contextPath, new ForwardingServlet(config), Map.of());
  }

  /**
   * Tomcat with {@code servlet} (and {@link OutcomeProbe} in front of it) at {@code /*} under
   * {@code contextPath}; {@code initParams} are the servlet's init-params.
   */
  static ForwardingTomcat start(
      Path dir, String contextPath, ForwardingServlet servlet, Map<String, String> initParams)
      throws LifecycleException, IOException {
    Path base = Files.createDirectories(dir.resolve("tomcat"));
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext(contextPath, base.toString());
    Wrapper wrapper = Tomcat.addServlet(context, "forward", servlet);
    initParams.forEach(wrapper::addInitParameter);
    context.addServletMappingDecoded("/*", "forward");
    OutcomeProbe probe = new OutcomeProbe();
    FilterDef filter = new FilterDef();
    filter.setFilterName("probe");
    filter.setFilter(probe);
    context.addFilterDef(filter);
    FilterMap mapping = new FilterMap();
    mapping.setFilterName("probe");
    mapping.addURLPattern("/*");
    context.addFilterMap(mapping);
    tomcat.start();
    return new ForwardingTomcat(tomcat, connector, contextPath, probe);
  }

  int port() {
    return connector.getLocalPort();
  }

  /** The URI of {@code pathAndQuery} under the context path. */
  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + contextPath + pathAndQuery);
  }

  @Override
  public void close() throws LifecycleException {
    tomcat.stop();
    tomcat.destroy();
  }
}
