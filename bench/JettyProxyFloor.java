// The floor under LMGate's gateway: Jetty 12's ProxyServlet with nothing of LMGate (no routing,
// no key check, no metering, no records), set up like LMGateServer (same thread pool, HTTP/1.1 +
// h2c connector, same proxy init-params). bench/bench.py runs it beside the gateway, so the
// table shows what Jetty's proxy itself costs on this machine and what LMGate adds on top.
//   java -cp lmgate-standalone/target/lmgate.jar bench/JettyProxyFloor.java PORT UPSTREAM PREFIX
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

public class JettyProxyFloor {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    QueuedThreadPool threads = new QueuedThreadPool(400, 8);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector =
        new ServerConnector(
            server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder proxy = new ServletHolder(new ProxyServlet.Transparent());
    proxy.setAsyncSupported(true);
    proxy.setInitParameter("proxyTo", args[1]);
    proxy.setInitParameter("prefix", args[2]);
    proxy.setInitParameter("idleTimeout", "300000");
    proxy.setInitParameter("timeout", "0");
    proxy.setInitParameter("maxConnections", "4096");
    context.addServlet(proxy, "/*");
    server.setHandler(context);
    server.start();
    server.join();
  }
}
