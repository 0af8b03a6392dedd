package ai.numio.lmgate.filter;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/** Embedded Jetty 12 (ee10, Servlet 6.0). */
final class JettyContainer implements WebContainer {

  @Override
  public Running start(Path workDir, List<WebApp> apps) throws Exception {
    Server server = new Server();
    // HTTP/1.1 and h2c, as the standalone gateway listens
    ServerConnector connector =
        new ServerConnector(
            server, new HttpConnectionFactory(), new HTTP2CServerConnectionFactory());
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ContextHandlerCollection handlers = new ContextHandlerCollection();
    Map<String, ServletContextHandler> contexts = new HashMap<>();
    for (WebApp app : apps) {
      ServletContextHandler context =
          new ServletContextHandler(app.contextPath.isEmpty() ? "/" : app.contextPath);
      app.contextParams.forEach(context::setInitParameter);
      for (Filter outer : app.filtersBefore) {
        FilterHolder holder = new FilterHolder(outer);
        holder.setAsyncSupported(true);
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
      }
      FilterHolder lmgate =
          app.filter != null ? new FilterHolder(app.filter) : new FilterHolder(LMGateFilter.class);
      lmgate.setName("lmgate");
      lmgate.setAsyncSupported(true);
      app.filterParams.forEach(lmgate::setInitParameter);
      context.addFilter(lmgate, "/*", app.dispatches);
      for (Map.Entry<String, HttpServlet> servlet : app.servlets.entrySet()) {
        ServletHolder holder = new ServletHolder(servlet.getValue());
        holder.setAsyncSupported(true);
        context.addServlet(holder, servlet.getKey());
      }
      handlers.addHandler(context);
      contexts.put(app.contextPath, context);
    }
    server.setHandler(handlers);
    try {
      server.start();
    } catch (Exception e) {
      // Jetty fails the whole server when a context fails; the test asks deployed()
    }
    int port = connector.getLocalPort();
    return new Running() {
      @Override
      public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
      }

      @Override
      public boolean listening() {
        return connector.isStarted();
      }

      @Override
      public boolean deployed(String contextPath) {
        ServletContextHandler context = contexts.get(contextPath);
        return context.isStarted() && context.isAvailable();
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }
}
