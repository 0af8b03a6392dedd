package ai.numio.lmgate.jetty;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.Engine;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.dashboard.DashboardAccess;
import ai.numio.lmgate.dashboard.HistorySeeder;
import ai.numio.lmgate.dashboard.UsageAggregate;
import ai.numio.lmgate.jetty.upstream.JettyClientUpstream;
import ai.numio.lmgate.jetty.upstream.Upstream;
import ai.numio.lmgate.limit.LimitStoreFactory;
import ai.numio.lmgate.metrics.LMGateMetrics;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.servlet.LMGateMetricsServlet;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone gateway, embeddable: Jetty 12 serving {@link LMGateProxyServlet}, {@code /healthz}
 * and {@code /metrics} (Prometheus, {@link LMGateMetricsServlet}) on one port (HTTP/1.1 and h2c),
 * around one {@link LMGate}; with {@code server.tls.*} also on a TLS port (HTTP/2 by ALPN and
 * HTTP/1.1, TLS 1.2/1.3), its certificate reloaded when the files change ({@link
 * ReloadingCertificate}). {@link #stop()} stops accepting, lets in-flight exchanges finish for up
 * to {@code server.shutdown_grace_seconds}, then writes every queued record.
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
  private final ServerConnector tlsConnector; // null without TLS
  private final ReloadingCertificate certificate; // null without TLS
  private ScheduledExecutorService certificatePoll; // null without TLS
  private final UsageAggregate dashboard; // null without ui.token
  private HistorySeeder history; // null without ui.token

  private LMGateServer(
      LMGate gate,
      Server server,
      ServerConnector connector,
      ServerConnector tlsConnector,
      ReloadingCertificate certificate,
      UsageAggregate dashboard) {
    this.gate = gate;
    this.dashboard = dashboard;
    this.server = server;
    this.connector = connector;
    this.tlsConnector = tlsConnector;
    this.certificate = certificate;
  }

  /** Starts building a server for this configuration. */
  public static Builder builder(LMGateConfig config) {
    return new Builder(config);
  }

  /** The core this server runs on (its allow-list, its stats writer). */
  public LMGate gate() {
    return gate;
  }

  /** The dashboard's aggregate, or null without {@code ui.token} (tests). */
  UsageAggregate dashboard() {
    return dashboard;
  }

  /** The port actually bound (useful when the builder asked for port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://<host>:<port>/}, with 127.0.0.1 for a wildcard host. */
  public URI uri() {
    return URI.create("http://" + host(connector) + ":" + port() + "/");
  }

  /** Whether a TLS listener runs beside the plain one ({@code server.tls.*}). */
  public boolean hasTls() {
    return tlsConnector != null;
  }

  /**
   * The TLS listener's port actually bound.
   *
   * @throws IllegalStateException without TLS listener
   */
  public int tlsPort() {
    return requireTls().getLocalPort();
  }

  /**
   * {@code https://<host>:<tls port>/}, with 127.0.0.1 for a wildcard host.
   *
   * @throws IllegalStateException without TLS listener
   */
  public URI tlsUri() {
    return URI.create("https://" + host(requireTls()) + ":" + tlsPort() + "/");
  }

  /**
   * The certificate new TLS connections get.
   *
   * @throws IllegalStateException without TLS listener
   */
  public X509Certificate tlsCertificate() {
    requireTls();
    return certificate.active();
  }

  /**
   * Checks the certificate and key files now, as the poll does every {@code
   * server.tls.poll_interval_seconds}; true if a new certificate was put in use (tests).
   */
  boolean reloadCertificateIfChanged() {
    requireTls();
    return certificate.reloadIfChanged();
  }

  /** The TLS listener's protocols, ciphers and certificate (tests). */
  org.eclipse.jetty.util.ssl.SslContextFactory.Server tlsContextFactory() {
    requireTls();
    return certificate.factory();
  }

  private ServerConnector requireTls() {
    if (tlsConnector == null) {
      throw new IllegalStateException("no TLS listener: server.tls.cert_path is not set");
    }
    return tlsConnector;
  }

  private static String host(ServerConnector connector) {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return host;
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
      if (certificatePoll != null) {
        certificatePoll.shutdownNow();
      }
      if (history != null) {
        history.close();
      }
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
    private Map<String, String> env = System.getenv();
    private Integer port;
    private Integer tlsPort;
    private Integer clientSendBuffer;

    private Builder(LMGateConfig config) {
      this.config = config;
    }

    /** Listens on this port instead of {@code server.port}; 0 picks a free one (tests). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Listens for TLS on this port instead of {@code server.tls.port}; 0 picks a free one. */
    public Builder tlsPort(int tlsPort) {
      this.tlsPort = tlsPort;
      return this;
    }

    /**
     * Fixes the send buffer of every accepted client connection (tests: a client that does not read
     * then blocks the gateway's writes after this many bytes, not after what the kernel's
     * autotuning would give it).
     */
    Builder clientSendBuffer(int bytes) {
      this.clientSendBuffer = bytes;
      return this;
    }

    /** The clocks of the core (tests). */
    public Builder time(TimeSource time) {
      this.time = time;
      return this;
    }

    /** The environment {@code env:} provider key references are read from ({@code getenv}). */
    public Builder env(Map<String, String> env) {
      this.env = Map.copyOf(env);
      return this;
    }

    /**
     * Reads the TLS certificate and key if configured, loads the allow-list, starts the stats
     * writer and Jetty.
     *
     * @throws TlsCertificateException if the TLS certificate or key file cannot be used
     * @throws AllowListException if the allow-list is missing or invalid
     * @throws ai.numio.lmgate.providerkey.ProviderKeyException if a route's provider key reference
     *     cannot be resolved
     * @throws ai.numio.lmgate.cost.PriceTableException if {@code pricing.path} names a missing or
     *     invalid price file
     * @throws Exception if Jetty cannot start (the port is taken, for one)
     */
    public LMGateServer start() throws Exception {
      LMGateConfig.Tls tls = config.server().tls();
      ReloadingCertificate certificate =
          tls.enabled() ? ReloadingCertificate.open(tls, time) : null;
      requireNoRouteUnderUi();
      LMGate gate = LMGate.start(config, time, LimitStoreFactory.standard(), env);
      try {
        UsageAggregate dashboard = null;
        HistorySeeder history = null;
        if (config.ui().enabled()) {
          // Observing, and noting what the stats files hold, before the first request: the
          // history is then exactly what this process did not write (HistorySeeder).
          dashboard = new UsageAggregate(time, gate::inflightCount);
          gate.observeRecords(dashboard);
          history = HistorySeeder.snapshot(config.stats().outputPath(), time);
        }
        LMGateServer server = build(gate, certificate, dashboard);
        server.history = history;
        server.server.start();
        if (history != null) {
          history.startInBackground(dashboard); // the listener is up; the page says "loading"
        }
        if (certificate != null) {
          server.certificatePoll =
              Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread thread = new Thread(r, "lmgate-tls-reload");
                    thread.setDaemon(true);
                    return thread;
                  });
          long millis = TimeUnit.SECONDS.toMillis(tls.pollIntervalSeconds());
          server.certificatePoll.scheduleWithFixedDelay(
              certificate::reloadIfChangedLoggingErrors, millis, millis, TimeUnit.MILLISECONDS);
        }
        return server;
      } catch (Exception e) {
        gate.close();
        throw e;
      }
    }

    /** With a dashboard, {@code /ui} is its own: no route may be under it. */
    private void requireNoRouteUnderUi() {
      if (!config.ui().enabled()) {
        return;
      }
      for (Route route : config.routes()) {
        if (route.prefix().startsWith("/ui/")) {
          throw new IllegalArgumentException(
              "providers."
                  + route.name()
                  + ".prefix: "
                  + route.prefix()
                  + " is under /ui/, the dashboard's path while ui.token is set; give the route"
                  + " another prefix or leave ui.token empty");
        }
      }
    }

    private LMGateServer build(
        LMGate gate, ReloadingCertificate certificate, UsageAggregate dashboard) throws Exception {
      QueuedThreadPool threads = new QueuedThreadPool(400, 8);
      threads.setName("lmgate");
      Server server = new Server(threads);
      server.setStopTimeout(TimeUnit.SECONDS.toMillis(config.server().shutdownGraceSeconds()));
      server.setStopAtShutdown(false); // the owner stops it, so records are written in order

      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      ServerConnector connector =
          new DrainingConnector(server, new HttpConnectionFactory(http), new H2cUpgrade(http));
      // The JDK's default listen backlog is 50: a burst of new connections beyond it (clients
      // reconnecting after a deploy) overflowed it, and some were reset before their request.
      connector.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
      connector.setIdleTimeout(idleTimeoutMillis());
      if (clientSendBuffer != null) {
        connector.setAcceptedSendBufferSize(clientSendBuffer);
      }
      connector.setHost(config.server().host());
      connector.setPort(port != null ? port : config.server().port());
      server.addConnector(connector);
      ServerConnector tlsConnector = null;
      if (certificate != null) {
        tlsConnector = tlsConnector(server, http, certificate);
        server.addConnector(tlsConnector);
      }
      JsonErrorHandler errors =
          new JsonErrorHandler(gate::errorShape); // Jetty's own 400/414/431 answers, as JSON
      server.setErrorHandler(errors);

      ServletContextHandler context = new ServletContextHandler("/");
      context.setErrorHandler(errors);
      context.addServlet(new ServletHolder("healthz", new HealthServlet()), "/healthz");
      if (dashboard != null) {
        DashboardServlet ui =
            new DashboardServlet(dashboard, new DashboardAccess(config.ui().token(), time));
        context.addServlet(new ServletHolder("ui", ui), "/ui/*");
      }
      context.addServlet(
          new ServletHolder("metrics", new LMGateMetricsServlet(LMGateMetrics.attach(gate))),
          LMGateMetrics.PATH);
      Handler gateway;
      if (config.server().engine() == Engine.LEAN) {
        // the handler proxies; the context keeps /healthz, /metrics and /ui
        boolean ui = dashboard != null;
        gateway =
            new GatewayHandler(
                gate,
                newUpstream(config.upstream()),
                path ->
                    path.equals("/healthz")
                        || path.equals(LMGateMetrics.PATH)
                        || (ui && (path.equals("/ui") || path.startsWith("/ui/"))),
                context);
      } else {
        ServletHolder proxy = new ServletHolder("lmgate", new LMGateProxyServlet(gate));
        proxy.setAsyncSupported(true);
        proxy.setInitParameter(
            "idleTimeout", Long.toString(config.upstream().idleTimeoutSeconds() * 1000L));
        proxy.setInitParameter("timeout", "0"); // no total limit: long generations stream slowly
        proxy.setInitParameter("maxConnections", "4096");
        context.addServlet(proxy, "/*");
        gateway = context;
      }
      server.setHandler(new GracefulHandler(gateway));
      return new LMGateServer(gate, server, connector, tlsConnector, certificate, dashboard);
    }

    private long idleTimeoutMillis() {
      return TimeUnit.SECONDS.toMillis(config.server().idleTimeoutSeconds());
    }

    /** What the {@code lean} engine sends upstream with: swap the implementation here. */
    static Upstream newUpstream(LMGateConfig.Upstream upstream) throws Exception {
      return JettyClientUpstream.start(upstream);
    }

    /**
     * The TLS listener: ALPN picks HTTP/2 or HTTP/1.1 (the default for a client that offers
     * neither); requests are marked secure ({@code https}, for {@code X-Forwarded-Proto}).
     */
    private ServerConnector tlsConnector(
        Server server, HttpConfiguration http, ReloadingCertificate certificate) {
      HttpConfiguration https = new HttpConfiguration(http);
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // One certificate for every name: whether the Host matches it is the client's check. Jetty's
      // own check would answer 400 to a client that reaches the gateway by another name or IP.
      secure.setSniHostCheck(false);
      https.addCustomizer(secure);
      HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
      HttpConnectionFactory http11 = new HttpConnectionFactory(https);
      ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
      alpn.setDefaultProtocol(HttpVersion.HTTP_1_1.asString());
      SslConnectionFactory ssl =
          new SslConnectionFactory(certificate.factory(), alpn.getProtocol());
      ServerConnector tls = new DrainingConnector(server, ssl, alpn, h2, http11);
      tls.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
      tls.setIdleTimeout(idleTimeoutMillis());
      tls.setHost(config.server().host());
      tls.setPort(tlsPort != null ? tlsPort : config.server().tls().port());
      return tls;
    }
  }
}
