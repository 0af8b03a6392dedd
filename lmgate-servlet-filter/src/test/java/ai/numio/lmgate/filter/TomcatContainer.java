package ai.numio.lmgate.filter;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** Embedded Tomcat 10.1. */
final class TomcatContainer implements WebContainer {

  /** Tomcat logs through java.util.logging; kept here so the level settings are not collected. */
  private static final java.util.logging.Logger TOMCAT_LOG = quiet("org.apache");

  private static final java.util.logging.Logger LEAK_CHECKS =
      quiet("org.apache.catalina.loader.WebappClassLoaderBase");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.SEVERE);
    return logger;
  }

  @Override
  public Running start(Path workDir, List<WebApp> apps) throws Exception {
    Path base = Files.createDirectories(workDir.resolve("tomcat"));
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    Connector connector = tomcat.getConnector();
    connector.setProperty("address", "127.0.0.1");
    connector.addUpgradeProtocol(new org.apache.coyote.http2.Http2Protocol()); // h2c beside 1.1
    Map<String, Context> contexts = new HashMap<>();
    for (WebApp app : apps) {
      Context context = tomcat.addContext(app.contextPath, base.toString());
      app.contextParams.forEach(context::addParameter);
      int i = 0;
      for (Filter outer : app.filtersBefore) {
        addFilter(context, "outer-" + i++, outer, Map.of(), Set.of(DispatcherType.REQUEST));
      }
      addFilter(context, "lmgate", app.filter, app.filterParams, app.dispatches);
      int s = 0;
      for (Map.Entry<String, jakarta.servlet.http.HttpServlet> servlet : app.servlets.entrySet()) {
        String name = "servlet-" + s++;
        Wrapper wrapper = Tomcat.addServlet(context, name, servlet.getValue());
        wrapper.setAsyncSupported(true);
        context.addServletMappingDecoded(servlet.getKey(), name);
      }
      contexts.put(app.contextPath, context);
    }
    tomcat.start();
    int port = connector.getLocalPort();
    return new Running() {
      @Override
      public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
      }

      @Override
      public boolean listening() {
        return true;
      }

      @Override
      public boolean deployed(String contextPath) {
        return contexts.get(contextPath).getState() == LifecycleState.STARTED;
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }

  private static void addFilter(
      Context context,
      String name,
      Filter instance,
      Map<String, String> params,
      Set<DispatcherType> dispatches) {
    FilterDef def = new FilterDef();
    def.setFilterName(name);
    if (instance != null) {
      def.setFilter(instance);
      def.setFilterClass(instance.getClass().getName());
    } else {
      def.setFilterClass(LMGateFilter.class.getName());
    }
    def.setAsyncSupported("true");
    params.forEach(def::addInitParameter);
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName(name);
    map.addURLPattern("/*");
    dispatches.forEach(type -> map.setDispatcher(type.name()));
    context.addFilterMap(map);
  }
}
