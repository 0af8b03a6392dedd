package ai.numio.lmgate;

import ai.numio.lmgate.auth.AllowList;
import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.auth.ApiKeys;
import ai.numio.lmgate.auth.KeyExtraction;
import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.auth.ReloadingAllowList;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.meter.UsageMeter;
import ai.numio.lmgate.route.RouteMatch;
import ai.numio.lmgate.route.RouteResult;
import ai.numio.lmgate.route.Router;
import ai.numio.lmgate.stats.StatsWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core as the adapters see it: route, authorize, begin an exchange; everything it decides is
 * decided here once. Built from a validated {@link LMGateConfig} by {@link #start}; {@link
 * #close()} stops the allow-list reloading and writes every queued record.
 *
 * <p>A request's life: {@link #route} (404/400 from the result) → {@link #authorize} (403 when
 * empty; nothing goes upstream) → {@link #begin} → forward to {@link RouteMatch#upstreamUri} →
 * {@link Exchange#onResponse} → {@link Exchange#onBytes} per chunk → {@link Exchange#complete()} or
 * {@link Exchange#fail}, which queues the one usage record.
 */
public final class LMGate implements AutoCloseable {

  static final Logger log = LoggerFactory.getLogger(LMGate.class);

  /** The provider of a request a filter could not attribute to any route. */
  public static final String UNKNOWN_PROVIDER = "unknown";

  private final LMGateConfig config;
  private final TimeSource time;
  private final Router router;
  private final ReloadingAllowList allowList;
  private final StatsWriter stats;
  private final ScheduledExecutorService reloader;
  private final DenialLog denialLog;
  private final AtomicLong denied = new AtomicLong();
  private volatile boolean closed;

  private LMGate(
      LMGateConfig config,
      TimeSource time,
      ReloadingAllowList allowList,
      StatsWriter stats,
      ScheduledExecutorService reloader) {
    this.config = config;
    this.time = time;
    this.router = new Router(config.routes());
    this.allowList = allowList;
    this.stats = stats;
    this.reloader = reloader;
    this.denialLog = new DenialLog(time);
  }

  /**
   * Loads the allow-list (a missing or invalid file is fatal: the exception names file, line and
   * problem), starts the stats writer, the allow-list reload every {@code
   * auth.poll_interval_seconds} and the denial log's one-second tick.
   */
  public static LMGate start(LMGateConfig config) throws AllowListException {
    return start(config, TimeSource.system());
  }

  /** As {@link #start(LMGateConfig)}, on the given clocks. */
  public static LMGate start(LMGateConfig config, TimeSource time) throws AllowListException {
    ReloadingAllowList allowList = ReloadingAllowList.open(config.auth().allowlistPath(), time);
    StatsWriter stats = StatsWriter.fromConfig(config.stats(), time);
    stats.start();
    ScheduledExecutorService reloader =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lmgate-allowlist-reload");
              t.setDaemon(true);
              return t;
            });
    allowList.schedule(reloader, Duration.ofSeconds(config.auth().pollIntervalSeconds()));
    LMGate gate = new LMGate(config, time, allowList, stats, reloader);
    gate.denialLog.schedule(reloader);
    return gate;
  }

  /** The configuration this gate runs on. */
  public LMGateConfig config() {
    return config;
  }

  /** The router built from the configured routes. */
  public Router router() {
    return router;
  }

  /** The allow-list in force now. */
  public AllowList allowList() {
    return allowList.current();
  }

  /** Chooses the route for a raw (still encoded) request path without query. */
  public RouteResult route(String rawPath) {
    return router.match(rawPath);
  }

  /**
   * Decides whether a request may pass. Empty means deny with {@link ErrorResponse#FORBIDDEN}: no
   * key, a key not on the allow-list, conflicting keys in several credential headers or in the
   * query's {@code key} parameter (which the Gemini API also reads), or any internal failure (fail
   * closed). Each denial is counted and logged with the masked key and the client address.
   *
   * @param rawQuery the query string as sent, or null
   * @param clientAddress the peer address, for the log
   */
  public Optional<Caller> authorize(Headers headers, String rawQuery, String clientAddress) {
    try {
      KeyExtraction extraction = ApiKeys.extract(headers::values);
      Optional<String> key = extraction.key();
      if (key.isEmpty()) {
        return deny(describe(extraction.reason()), "none", clientAddress);
      }
      String apiKey = key.get();
      if (!queryKeyAgrees(rawQuery, apiKey)) {
        return deny(
            "query parameter 'key' differs from the header key",
            KeyMask.forLog(apiKey),
            clientAddress);
      }
      Optional<AllowListEntry> entry = allowList.current().lookup(apiKey);
      if (entry.isEmpty()) {
        return deny("key not on the allow-list", KeyMask.forLog(apiKey), clientAddress);
      }
      return Optional.of(new Caller(entry.get(), apiKey));
    } catch (RuntimeException e) {
      log.error("Authorization failed unexpectedly; request denied (fail closed)", e);
      denied.incrementAndGet();
      return Optional.empty();
    }
  }

  /** Begins the exchange of an authorized request on a matched route; it will be metered. */
  public Exchange begin(Caller caller, RouteMatch match, String method, String rawPath) {
    return begin(caller, match.route().name(), true, method, rawPath);
  }

  /**
   * Begins an exchange under a provider name of the adapter's choosing (a filter's configured
   * provider, or {@link #UNKNOWN_PROVIDER}, which the filter records without metering).
   *
   * @param rawPath the request path including any route prefix, without query: the record's {@code
   *     endpoint}
   */
  public Exchange begin(
      Caller caller, String provider, boolean metered, String method, String rawPath) {
    UsageMeter meter = metered ? new UsageMeter(config.stats().maxEventBytes()) : null;
    return new Exchange(caller, provider, method, rawPath, time, meter, stats::offer);
  }

  /** Checks the allow-list file now (normally done every poll interval); true if it changed. */
  public boolean reloadAllowList() {
    return allowList.reloadIfChanged();
  }

  /** Requests denied since start. */
  public long deniedCount() {
    return denied.get();
  }

  /** The stats writer, for its counters (written, dropped, pending). */
  public StatsWriter stats() {
    return stats;
  }

  /** Writes every record queued so far, now. */
  public void flushRecords() {
    stats.flush();
  }

  /**
   * Stops reloading the allow-list, logs any pending denial summary and writes every queued record.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    reloader.shutdownNow();
    try {
      reloader.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    denialLog.flush();
    stats.close();
  }

  private Optional<Caller> deny(String reason, String maskedKey, String clientAddress) {
    denied.incrementAndGet();
    denialLog.denied(reason, maskedKey, clientAddress);
    return Optional.empty();
  }

  private static String describe(KeyExtraction.Reason reason) {
    return switch (reason) {
      case NO_CREDENTIAL -> "no API key";
      case CONFLICTING_CREDENTIALS -> "different keys in several credential headers";
      case MALFORMED -> "malformed credential header";
      case FOUND -> "key found";
    };
  }

  /**
   * The Gemini API also takes its key from the {@code key} query parameter: if one is there, it
   * must be the key that was checked, or the provider might use a key the gate never saw.
   */
  static boolean queryKeyAgrees(String rawQuery, String apiKey) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return true;
    }
    int start = 0;
    while (start <= rawQuery.length()) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = rawQuery.length();
      }
      String pair = rawQuery.substring(start, end);
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (decode(name).equals("key")) {
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (!value.equals(apiKey)) {
          return false;
        }
      }
      start = end + 1;
    }
    return true;
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "\u0000invalid"; // never equal to a key
    }
  }
}
