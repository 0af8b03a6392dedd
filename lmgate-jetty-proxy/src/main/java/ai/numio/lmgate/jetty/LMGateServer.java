package ai.numio.lmgate.jetty;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.LMGateConfig;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone gateway, embeddable: Jetty 12 serving {@link LMGateProxyServlet} and {@code
 * /healthz} on one port (HTTP/1.1 and h2c), around one {@link LMGate}. {@link #stop()} stops
 * accepting, lets in-flight exchanges finish for up to {@code server.shutdown_grace_seconds}, then
 * writes every queued record.
 *
 * <pre>{@code
 * try (LMGateServer server = LMGateServer.builder(config).start()) {
 *   URI base = server.uri(); // http://host:port/
 * }
 * }</pre>
 */
public final class LMGateServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LMGateServer.class);

  /** Connections the kernel holds for accepting (capped by net.core.somaxconn); nginx has 511. */
  static final int ACCEPT_QUEUE_SIZE = 1024;

  private final LMGate gate;
  private final Server server;
  private final ServerConnector connector;

  private LMGateServer(LMGate gate, Server server, ServerConnector connector) {
    this.gate = gate;
    this.server = server;
    this.connector = connector;
  }

  /** Starts building a server for this configuration. */
  public static Builder builder(LMGateConfig config) {
    return new Builder(config);
  }

  /** The core this server runs on (its allow-list, its stats writer). */
  public LMGate gate() {
    return gate;
  }

  /** The port actually bound (useful when the builder asked for port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://<host>:<port>/}, with 127.0.0.1 for a wildcard host. */
  public URI uri() {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /**
   * Stops gracefully: no new connections, in-flight exchanges get up to the grace period, then
   * every queued usage record is written. Idempotent.
   */
  public void stop() {
    try {
      if (server.isStarted()) {
        // exchanges still running when the grace period ends are cut and recorded `shutdown`
        gate.shuttingDown(Duration.ofMillis(server.getStopTimeout()));
        server.stop();
      }
    } catch (Exception e) {
      log.warn("Jetty did not stop cleanly: {}", e.toString());
    } finally {
      gate.close();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * A connector whose graceful shutdown only stops accepting. Jetty's own also shortens every
   * connection's idle timeout to one second, which cuts exchanges the grace period should let
   * finish: a client that pauses reading for a second, or a response written just as the shortened
   * timeout fires on a connection that waited over a second for its upstream (the client gets every
   * byte; the record says {@code client_disconnected}, without tokens). Here the {@link
   * GracefulHandler} alone waits for in-flight exchanges, up to the grace period; stopping the
   * connector then closes every connection left, idle keep-alive ones included.
   */
  private static final class DrainingConnector extends ServerConnector {
    DrainingConnector(Server server, ConnectionFactory... factories) {
      super(server, factories);
      setShutdownIdleTimeout(-1); // leave every connection's idle timeout as it is
    }

    @Override
    public CompletableFuture<Void> shutdown() {
      // Stops accepting. Its future completes when every connection is closed: not awaited, or
      // an idle keep-alive connection would hold the stop for the whole grace period.
      CompletableFuture<Void> unused = super.shutdown();
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Builds and starts an {@link LMGateServer}. */
  public static final class Builder {
    private final LMGateConfig config;
    private TimeSource time = TimeSource.system();
    private Integer port;

    private Builder(LMGateConfig config) {
      this.config = config;
    }

    /** Listens on this port instead of {@code server.port}; 0 picks a free one (tests). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The clocks of the core (tests). */
    public Builder time(TimeSource time) {
      this.time = time;
      return this;
    }

    /**
     * Loads the allow-list, starts the stats writer and Jetty.
     *
     * @throws AllowListException if the allow-list is missing or invalid
     * @throws ai.numio.lmgate.cost.PriceTableException if {@code pricing.path} names a missing or
     *     invalid price file
     * @throws Exception if Jetty cannot start (the port is taken, for one)
     */
    public LMGateServer start() throws Exception {
      LMGate gate = LMGate.start(config, time);
      try {
        LMGateServer server = build(gate);
        server.server.start();
        return server;
      } catch (Exception e) {
        gate.close();
        throw e;
      }
    }

    private LMGateServer build(LMGate gate) {
      QueuedThreadPool threads = new QueuedThreadPool(400, 8);
      threads.setName("lmgate");
      Server server = new Server(threads);
      server.setStopTimeout(TimeUnit.SECONDS.toMillis(config.server().shutdownGraceSeconds()));
      server.setStopAtShutdown(false); // the owner stops it, so records are written in order

      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      ServerConnector connector =
          new DrainingConnector(
              server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
      // The JDK's default listen backlog is 50: a burst of new connections beyond it (clients
      // reconnecting after a deploy) overflowed it, and some were reset before their request.
      connector.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
      connector.setHost(config.server().host());
      connector.setPort(port != null ? port : config.server().port());
      server.addConnector(connector);
      JsonErrorHandler errors =
          new JsonErrorHandler(gate::errorShape); // Jetty's own 400/414/431 answers, as JSON
      server.setErrorHandler(errors);

      ServletContextHandler context = new ServletContextHandler("/");
      context.setErrorHandler(errors);
      context.addServlet(new ServletHolder("healthz", new HealthServlet()), "/healthz");
      ServletHolder proxy = new ServletHolder("lmgate", new LMGateProxyServlet(gate));
      proxy.setAsyncSupported(true);
      proxy.setInitParameter(
          "idleTimeout", Long.toString(config.upstream().idleTimeoutSeconds() * 1000L));
      proxy.setInitParameter("timeout", "0"); // no total limit: long generations stream slowly
      proxy.setInitParameter("maxConnections", "4096");
      context.addServlet(proxy, "/*");
      server.setHandler(new GracefulHandler(context));
      return new LMGateServer(gate, server, connector);
    }
  }
}
