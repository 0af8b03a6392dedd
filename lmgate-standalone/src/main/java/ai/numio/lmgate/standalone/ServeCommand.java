package ai.numio.lmgate.standalone;

import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.config.LoadedConfig;
import ai.numio.lmgate.config.LogLevel;
import ai.numio.lmgate.cost.PriceTableException;
import ai.numio.lmgate.jetty.LMGateServer;
import ai.numio.lmgate.jetty.TlsCertificateException;
import ai.numio.lmgate.providerkey.ProviderKeyException;
import ai.numio.lmgate.route.Route;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}: loads and checks the configuration, starts the gateway, logs what it serves, and
 * on SIGTERM/SIGINT stops accepting, lets in-flight exchanges finish for up to {@code
 * server.shutdown_grace_seconds}, writes every queued record and returns 0.
 */
final class ServeCommand {

  private static final Logger log = LoggerFactory.getLogger("ai.numio.lmgate.LMGate");

  private ServeCommand() {}

  static ExitCode run(
      List<String> args,
      PrintStream out,
      PrintStream err,
      Path workingDir,
      Map<String, String> env) {
    Optional<Path> configFile;
    if (args.isEmpty()) {
      configFile = Optional.empty();
    } else if (args.size() == 2 && args.get(0).equals("--config")) {
      configFile = Optional.of(Path.of(args.get(1)));
    } else if (args.size() == 1 && args.get(0).startsWith("--config=")) {
      configFile = Optional.of(Path.of(args.get(0).substring("--config=".length())));
    } else {
      err.println("lmgate serve: expected [--config FILE], got " + String.join(" ", args));
      return ExitCode.BAD_USAGE_OR_CONFIG;
    }

    LoadedConfig loaded;
    try {
      loaded = CommandConfig.load(configFile, env, workingDir);
    } catch (CommandFailure e) {
      e.print(err, "lmgate: ");
      return e.exitCode();
    }
    LMGateConfig config = loaded.config();
    setLevel(config.logging().level());
    // java.util.logging (the OpenTelemetry SDK's) into LMGate's log, one format, one stream
    if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
      org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
      org.slf4j.bridge.SLF4JBridgeHandler.install();
    }
    if (!createDefaultAllowList(config, workingDir, err)) {
      return ExitCode.BAD_USAGE_OR_CONFIG;
    }

    LMGateServer server;
    try {
      server = LMGateServer.builder(config).env(env).start();
    } catch (TlsCertificateException e) {
      err.println("lmgate: the TLS certificate cannot be used (server.tls.*):");
      err.println("  - " + e.getMessage());
      return ExitCode.BAD_USAGE_OR_CONFIG;
    } catch (AllowListException e) {
      err.println("lmgate: the allow-list cannot be used:");
      e.problems().forEach(p -> err.println("  - " + p));
      return ExitCode.BAD_USAGE_OR_CONFIG;
    } catch (PriceTableException e) {
      err.println("lmgate: the price table (pricing.path) cannot be used:");
      e.problems().forEach(p -> err.println("  - " + p));
      return ExitCode.BAD_USAGE_OR_CONFIG;
    } catch (ProviderKeyException e) {
      err.println("lmgate: a provider key the gateway should hold cannot be resolved:");
      e.problems().forEach(p -> err.println("  - " + p));
      return ExitCode.BAD_USAGE_OR_CONFIG;
    } catch (IOException e) {
      err.println(
          "lmgate: cannot listen on "
              + config.server().host()
              + ":"
              + config.server().port()
              + (config.server().tls().enabled()
                  ? " (TLS: " + config.server().tls().port() + ")"
                  : "")
              + ": "
              + e.getMessage());
      return ExitCode.RUNTIME_FAILURE;
    } catch (Exception e) {
      err.println("lmgate: cannot start: " + e);
      return ExitCode.RUNTIME_FAILURE;
    }
    logStart(loaded, server);

    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          log.info(
              "Stopping: no new connections; in-flight requests get up to {} s",
              config.server().shutdownGraceSeconds());
          server.stop();
          log.info(
              "Stopped; {} usage records written, {} dropped",
              server.gate().stats().writtenCount(),
              server.gate().stats().droppedCount());
          stopped.countDown();
        };
    Signals.onTerminate(stop);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stop();
    }
    flushLogs();
    return ExitCode.OK;
  }

  /**
   * On a first start, creates the default allow-list with no key ({@link DefaultAllowList}) and
   * says so; false, with the problem printed, if it is missing and cannot be created.
   */
  private static boolean createDefaultAllowList(
      LMGateConfig config, Path workingDir, PrintStream err) {
    try {
      DefaultAllowList.createIfMissing(config, workingDir)
          .ifPresent(
              path ->
                  log.warn(
                      "No keys yet: created {} with none. Add one row per key there (format in"
                          + " its comments and in data/allowlist.example.csv); until then every"
                          + " request is refused with 403",
                      path));
      return true;
    } catch (IOException e) {
      err.println("lmgate: the allow-list cannot be used:");
      err.println(
          "  - "
              + config.auth().allowlistPath()
              + ": file not found, and it cannot be created ("
              + e
              + ")");
      return false;
    }
  }

  private static void logStart(LoadedConfig loaded, LMGateServer server) {
    LMGateConfig config = loaded.config();
    log.info(
        "LMGate {} configured from {}",
        Main.version(),
        loaded.source().map(Path::toString).orElse("built-in defaults"));
    for (Route route : config.routes()) {
      log.info(
          "Route {}: {} -> {} ({})",
          route.name(),
          route.prefix(),
          route.upstream(),
          route.format().configName());
    }
    log.info(
        "Listening on http://{}:{} (HTTP/1.1, h2c); allow-list {} ({} keys, checked every {} s);"
            + " usage records to {} (every {} s)",
        config.server().host(),
        server.port(),
        config.auth().allowlistPath(),
        server.gate().allowList().size(),
        config.auth().pollIntervalSeconds(),
        config.stats().outputPath(),
        config.stats().flushIntervalSeconds());
    log.info(
        "Prometheus metrics at /metrics ({}; owner label {}; at most {} values per label)",
        config.metrics().tokenRequired() ? "Bearer token required" : "open: no metrics.token",
        config.metrics().ownerLabel() ? "on" : "off",
        config.metrics().maxSeries());
    if (server.hasTls()) {
      X509Certificate certificate = server.tlsCertificate();
      log.info(
          "Listening on https://{}:{} (HTTP/2, HTTP/1.1; TLS 1.2, 1.3); certificate {} (serial"
              + " {}, valid until {}) from {}, key {}, checked every {} s",
          config.server().host(),
          server.tlsPort(),
          certificate.getSubjectX500Principal().getName(),
          certificate.getSerialNumber().toString(16),
          certificate.getNotAfter().toInstant(),
          config.server().tls().certPath(),
          config.server().tls().keyPath(),
          config.server().tls().pollIntervalSeconds());
    }
  }

  private static void setLevel(LogLevel level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger("ai.numio.lmgate").setLevel(logbackLevel(level));
    }
  }

  /** Logback's level for {@code logging.level}. */
  static Level logbackLevel(LogLevel level) {
    return switch (level) {
      case TRACE -> Level.TRACE;
      case DEBUG -> Level.DEBUG;
      case INFO -> Level.INFO;
      case WARN -> Level.WARN;
      case ERROR -> Level.ERROR;
      case OFF -> Level.OFF;
    };
  }

  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }
}
