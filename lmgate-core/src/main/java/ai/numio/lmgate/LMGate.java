package ai.numio.lmgate;

import ai.numio.lmgate.auth.AllowList;
import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.auth.ApiKeys;
import ai.numio.lmgate.auth.KeyExtraction;
import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.auth.ReloadingAllowList;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.cost.BundledPrices;
import ai.numio.lmgate.cost.PriceTable;
import ai.numio.lmgate.cost.PriceTableException;
import ai.numio.lmgate.cost.ReloadingPriceTable;
import ai.numio.lmgate.limit.LimitStore;
import ai.numio.lmgate.limit.LimitStoreException;
import ai.numio.lmgate.limit.LimitStoreFactory;
import ai.numio.lmgate.meter.UsageMeter;
import ai.numio.lmgate.policy.CallerPolicy;
import ai.numio.lmgate.policy.Policies;
import ai.numio.lmgate.policy.PolicyException;
import ai.numio.lmgate.policy.PolicyFile;
import ai.numio.lmgate.providerkey.KeyReference;
import ai.numio.lmgate.providerkey.ProviderKeyException;
import ai.numio.lmgate.providerkey.ProviderKeys;
import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.route.RouteMatch;
import ai.numio.lmgate.route.RouteResult;
import ai.numio.lmgate.route.Router;
import ai.numio.lmgate.stats.RecordObserver;
import ai.numio.lmgate.stats.RecordObserverProvider;
import ai.numio.lmgate.stats.StatsWriter;
import ai.numio.lmgate.stats.UsageRecord;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core as the adapters see it: route, authorize, begin an exchange; everything it decides is
 * decided here once. Built from a validated {@link LMGateConfig} by {@link #start}; {@link
 * #close()} stops the allow-list reloading and writes every queued record.
 *
 * <p>A request's life: {@link #admit} (route, key, upstream URI: refused with the answer to give,
 * or admitted with its {@link Exchange} begun) → forward to the upstream URI → {@link
 * Exchange#onRequestSent} → {@link Exchange#onResponse} → {@link Exchange#onBytes} per chunk →
 * {@link Exchange#complete()} or {@link Exchange#fail}, which queues the one usage record.
 */
public final class LMGate implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LMGate.class);

  /** How long {@link #close()} waits for exchanges still ending. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** The provider of a request a filter could not attribute to any route. */
  public static final String UNKNOWN_PROVIDER = "unknown";

  private final LMGateConfig config;
  private final TimeSource time;
  private final Router router;
  private final ReloadingAllowList allowList;
  private final ProviderKeys providerKeys;
  private final ReloadingPriceTable priceFile;
  private final StatsWriter stats;
  private final Supplier<Policies> policies;
  private final LimitStore limitStore;
  private final Policing policing;
  private final ScheduledExecutorService reloader;
  private final DenialLog denialLog;
  private final ShutdownClock shutdown;
  private final OpenExchanges open;
  private final AtomicLong denied = new AtomicLong();
  private final Denials denials = new Denials();
  private final List<RecordObserver> observers = new CopyOnWriteArrayList<>();
  private final java.util.Set<RecordObserver> failedObservers =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private LMGate(
      LMGateConfig config,
      TimeSource time,
      ReloadingAllowList allowList,
      ProviderKeys providerKeys,
      ReloadingPriceTable priceFile,
      StatsWriter stats,
      Supplier<Policies> policies,
      LimitStore limitStore,
      ScheduledExecutorService reloader) {
    this.config = config;
    this.time = time;
    this.router = new Router(config.routes());
    java.util.List<String> routeNames = new java.util.ArrayList<>();
    config.routes().forEach(r -> routeNames.add(r.name()));
    if (!routeNames.contains(UNKNOWN_PROVIDER)) {
      routeNames.add(UNKNOWN_PROVIDER);
    }
    this.open = new OpenExchanges(routeNames);
    this.allowList = allowList;
    this.providerKeys = providerKeys;
    this.priceFile = priceFile;
    this.stats = stats;
    this.policies = policies;
    this.limitStore = limitStore;
    this.policing =
        new Policing(
            limitStore,
            config.limits().onStoreError(),
            config.policy().maxReadAheadBytes(),
            time,
            this::record,
            denials);
    this.reloader = reloader;
    this.denialLog = new DenialLog(time);
    this.shutdown = new ShutdownClock(time);
  }

  /**
   * Loads the allow-list and the price file of {@code pricing.path} if one is set (a missing or
   * invalid file is fatal: the exception names file, line and problem), starts the stats writer,
   * the reload of both files every {@code auth.poll_interval_seconds} and the denial log's
   * one-second tick.
   */
  public static LMGate start(LMGateConfig config) throws AllowListException, PriceTableException {
    return start(config, TimeSource.system());
  }

  /** As {@link #start(LMGateConfig)}, on the given clocks. */
  public static LMGate start(LMGateConfig config, TimeSource time)
      throws AllowListException, PriceTableException {
    return start(config, time, LimitStoreFactory.standard());
  }

  /**
   * As {@link #start(LMGateConfig)}, on the given clocks, counting limits in the store {@code
   * limitStores} opens ({@link LimitStoreFactory#standard()}: memory, or the provider of {@code
   * limits.store} on the class path). Also loads the price table ({@code pricing.path}, else the
   * bundled one) and the policy file ({@code policy.path}; invalid: {@link PolicyException}), and
   * reloads them with the allow-list's poll interval; and registers the record observers that the
   * {@link RecordObserverProvider}s on the class path open for this configuration (the
   * OpenTelemetry export of {@code lmgate-otel}, when {@code otel.endpoint} is set).
   *
   * @throws PriceTableException naming every problem of the operator's price table
   * @throws PolicyException naming every problem of the policy file
   * @throws IllegalStateException when the limit store cannot be opened, or an observer provider
   *     cannot start
   */
  public static LMGate start(LMGateConfig config, TimeSource time, LimitStoreFactory limitStores)
      throws AllowListException, PriceTableException {
    return start(config, time, limitStores, System.getenv());
  }

  /**
   * As {@link #start(LMGateConfig, TimeSource, LimitStoreFactory)}, resolving {@code env:} provider
   * key references (SPEC-2 §15) in {@code env} ({@code System.getenv()} elsewhere). Every route's
   * {@code upstream_key} and every allow-list row's must resolve: a variable that is not set, a key
   * file missing, unreadable or empty stops the start. Key files are re-read with the allow-list's
   * poll interval.
   *
   * @throws ProviderKeyException naming each {@code providers.<name>.upstream_key} that cannot be
   *     resolved (a row's is an {@link AllowListException} naming its line); never a key
   */
  public static LMGate start(
      LMGateConfig config, TimeSource time, LimitStoreFactory limitStores, Map<String, String> env)
      throws AllowListException, PriceTableException {
    ProviderKeys providerKeys = ProviderKeys.of(env, time);
    Map<String, KeyReference> routeKeys = new LinkedHashMap<>();
    for (Route route : config.routes()) {
      if (route.upstreamKey() != null) {
        routeKeys.put("providers." + route.name() + ".upstream_key", route.upstreamKey());
      }
    }
    providerKeys.requireAll(routeKeys);
    ReloadingAllowList allowList =
        ReloadingAllowList.open(config.auth().allowlistPath(), time, providerKeys::problem);
    Path pricePath = config.pricing().path();
    ReloadingPriceTable priceFile =
        pricePath == null ? null : ReloadingPriceTable.open(pricePath, time);
    PriceTable bundled = priceFile == null ? BundledPrices.table() : null;
    if (bundled != null) {
      log.info(
          "Prices: the bundled table ({} entries); pricing.path is not set",
          bundled.entries().size());
    }
    PolicyFile policyFile =
        config.policy().path() == null
            ? null
            : PolicyFile.open(
                config.policy().path(),
                time,
                config.routes().stream().map(Route::name).collect(Collectors.toSet()));
    LimitStore limitStore;
    try {
      limitStore = limitStores.open(config);
    } catch (LimitStoreException e) {
      throw new IllegalStateException(
          "the limit store (limits.store: "
              + config.limits().store().configName()
              + ") cannot be opened: "
              + e.getMessage(),
          e);
    }
    StatsWriter stats = StatsWriter.fromConfig(config.stats(), time);
    stats.start();
    ScheduledExecutorService reloader =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lmgate-file-reload");
              t.setDaemon(true);
              return t;
            });
    Duration poll = Duration.ofSeconds(config.auth().pollIntervalSeconds());
    allowList.schedule(reloader, poll);
    providerKeys.schedule(reloader, poll);
    if (priceFile != null) {
      priceFile.schedule(reloader, poll);
    }
    Supplier<Policies> policies = () -> Policies.NONE;
    if (policyFile != null) {
      policyFile.schedule(reloader, poll);
      policies = policyFile;
    }
    LMGate gate =
        new LMGate(
            config,
            time,
            allowList,
            providerKeys,
            priceFile,
            stats,
            policies,
            limitStore,
            reloader);
    gate.denialLog.schedule(reloader);
    try {
      for (RecordObserverProvider provider : ServiceLoader.load(RecordObserverProvider.class)) {
        provider.open(config).ifPresent(gate::observeRecords);
      }
    } catch (RuntimeException e) {
      gate.close();
      throw e;
    }
    return gate;
  }

  /** The configuration this gate runs on. */
  public LMGateConfig config() {
    return config;
  }

  /**
   * The price table in force now (SPEC-2 §13): what each record's {@code cost_usd} is priced by.
   */
  public PriceTable prices() {
    return priceFile == null ? BundledPrices.table() : priceFile.current();
  }

  /** Checks the price file now (normally done every poll interval); true if it changed. */
  public boolean reloadPrices() {
    return priceFile != null && priceFile.reloadIfChanged();
  }

  /** The policies in force now ({@link Policies#NONE} without a policy file). */
  public Policies policies() {
    return policies.get();
  }

  /** Failures of the limit store since start (each logged at most once a minute). */
  public long limitStoreErrorCount() {
    return policing.storeErrors();
  }

  /** Failed reloads of the allow-list file since start (each distinct problem once). */
  public long allowListReloadErrorCount() {
    return allowList.reloadErrorCount();
  }

  /** The allow-list in force now. */
  public AllowList allowList() {
    return allowList.current();
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
  Optional<Caller> authorize(Headers headers, String rawQuery, String clientAddress) {
    try {
      KeyExtraction extraction = ApiKeys.extract(headers::values, headers.names());
      Optional<String> key = extraction.key();
      if (key.isEmpty()) {
        return deny(
            reasonLabel(extraction.reason()), describe(extraction.reason()), "none", clientAddress);
      }
      String apiKey = key.get();
      if (!ApiKeys.queryKeyAgrees(rawQuery, apiKey)) {
        return deny(
            Denials.QUERY_KEY_MISMATCH,
            "a credential query parameter differs from the header key",
            KeyMask.forLog(apiKey),
            clientAddress);
      }
      Optional<AllowListEntry> entry = allowList.current().lookup(apiKey);
      if (entry.isEmpty()) {
        return deny(
            Denials.UNKNOWN_KEY,
            "key not on the allow-list",
            KeyMask.forLog(apiKey),
            clientAddress);
      }
      return Optional.of(new Caller(entry.get(), apiKey));
    } catch (RuntimeException e) {
      log.error("Authorization failed unexpectedly; request denied (fail closed)", e);
      denied.incrementAndGet();
      denials.count(Denials.INTERNAL_ERROR);
      return Optional.empty();
    }
  }

  /**
   * A request's admission, every decision made here once: the route ({@code mode} says what a path
   * under no route means), the method (a forwarding form forwards only {@link
   * ErrorResponse#FORWARDED_METHODS}: 405 otherwise), the caller's key (fail closed: a missing,
   * unknown or conflicting key is refused 403 and nothing goes upstream), and, for a matched route,
   * the upstream URI (a query a URL cannot carry is refused 400), then the caller's policy (SPEC-2
   * §14, see {@link Policing}): expiry → route → model (from a Google path, or read ahead in the
   * body only when a model rule applies) → rate limits and budgets. A policy refusal is recorded
   * here, once. An admitted request's exchange has begun; what was read of its body is {@link
   * Admission.Admitted#readAhead()}.
   */
  public Admission admit(IncomingRequest request, RouteMode mode) {
    long startNanos = time.nanoTime();
    RouteMatch match = null;
    Route route = null;
    if (mode instanceof RouteMode.Fixed fixed) {
      route = namedRoute(fixed.name());
    } else {
      RouteResult result = router.match(request.rawPath());
      if (result instanceof RouteMatch m) {
        match = m;
        route = m.route();
      } else if (mode == RouteMode.REQUIRED) {
        return refuse(ErrorResponse.of(result), null);
      }
    }
    Format format = route == null ? null : route.format();
    if (mode == RouteMode.REQUIRED && !ErrorResponse.FORWARDED_METHODS.contains(request.method())) {
      return refuse(ErrorResponse.METHOD_NOT_ALLOWED, format);
    }
    Optional<Caller> caller =
        authorize(request.headers(), request.rawQuery(), request.clientAddress());
    if (caller.isEmpty()) {
      return refuse(ErrorResponse.FORBIDDEN, format);
    }
    UpstreamCredential credential = upstreamCredential(route, caller.get().entry());
    String upstreamUri =
        match == null ? null : match.upstreamUri(credential.upstreamQuery(request.rawQuery()));
    if (mode == RouteMode.REQUIRED && !isValidUri(upstreamUri)) {
      return refuse(ErrorResponse.UNFORWARDABLE, format);
    }
    CallerPolicy policy = policies.get().forCaller(caller.get().entry());
    Policing.Decision decision =
        policy.unrestricted()
            ? Policing.Decision.PASS
            : policing.check(policy, request, route, caller.get(), startNanos);
    if (decision.refusal() != null) {
      return refuse(decision.refusal(), format);
    }
    String routeName = route == null ? UNKNOWN_PROVIDER : route.name();
    java.util.concurrent.atomic.AtomicInteger routeOpen = open.route(routeName);
    open.opened(routeOpen);
    Exchange exchange =
        new Exchange(
            caller.get(),
            routeName,
            format,
            this::prices,
            request.method(),
            request.rawPath(),
            errorShape(format),
            time,
            startNanos,
            route == null ? null : new UsageMeter(config.stats().maxEventBytes()),
            policy.limits().isEmpty() ? this::record : policing.charging(policy.limits()),
            shutdown,
            open,
            routeOpen);
    return new Admission.Admitted(
        caller.get(),
        Optional.ofNullable(match),
        upstreamUri,
        exchange,
        decision.readAhead(),
        credential);
  }

  /**
   * SPEC-2 §15: the caller's own provider key (its allow-list row's {@code upstream_key}), else the
   * route's, in the header the route's format uses; {@link UpstreamCredential#PASS_THROUGH} when
   * neither holds one, and for a request under no route (no format to send a key in).
   */
  private UpstreamCredential upstreamCredential(Route route, AllowListEntry caller) {
    if (route == null) {
      return UpstreamCredential.PASS_THROUGH;
    }
    KeyReference reference =
        caller.upstreamKey() != null ? caller.upstreamKey() : route.upstreamKey();
    return reference == null
        ? UpstreamCredential.PASS_THROUGH
        : UpstreamCredential.replacing(route.format(), providerKeys.value(reference));
  }

  /**
   * Checks every provider key file now (normally done every poll interval); true if one changed.
   */
  public boolean reloadProviderKeys() {
    return providerKeys.reloadIfChanged();
  }

  /**
   * The shape of the errors LMGate answers to a request on this path ({@code server.error_format}
   * and the path's route), for answers given before admission (a container's own 400, say).
   */
  public ErrorShape errorShape(String rawPath) {
    return router.match(rawPath) instanceof RouteMatch match
        ? errorShape(match.route().format())
        : ErrorShape.LMGATE;
  }

  private ErrorShape errorShape(Format routeFormat) {
    return ErrorShape.of(config.server().errorFormat(), routeFormat);
  }

  private Admission.Refused refuse(ErrorResponse error, Format routeFormat) {
    return new Admission.Refused(error, errorShape(routeFormat));
  }

  /** The configured route of this name; a filter checks the name when it is configured. */
  private Route namedRoute(String name) {
    for (Route route : config.routes()) {
      if (route.name().equals(name)) {
        return route;
      }
    }
    throw new IllegalArgumentException("no route is named '" + name + "'");
  }

  private static boolean isValidUri(String uri) {
    try {
      URI.create(uri);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Shutdown began: exchanges still running when {@code grace} is over are cut by it and recorded
   * {@code shutdown}.
   */
  public void shuttingDown(Duration grace) {
    shutdown.begin(grace);
  }

  /** Checks the policy file now (normally done every poll interval); true if it changed. */
  public boolean reloadPolicies() {
    return policies instanceof PolicyFile file && file.reloadIfChanged();
  }

  /** Checks the allow-list file now (normally done every poll interval); true if it changed. */
  public boolean reloadAllowList() {
    return allowList.reloadIfChanged();
  }

  /**
   * Adds an observer told of every record from now on (metrics, the dashboard's aggregate); see
   * {@link RecordObserver} for what it must and must not do.
   */
  public void observeRecords(RecordObserver observer) {
    observers.add(java.util.Objects.requireNonNull(observer, "observer"));
  }

  /**
   * The observers told of every record: those added with {@link #observeRecords} and those the
   * {@link RecordObserverProvider}s on the class path opened for this configuration.
   */
  public List<RecordObserver> recordObservers() {
    return java.util.Collections.unmodifiableList(observers);
  }

  /** Exchanges admitted whose record is not written yet: the requests in flight. */
  public int inflightCount() {
    return open.count();
  }

  /**
   * The requests in flight per route name, zeros included: every configured route and {@value
   * #UNKNOWN_PROVIDER} (a filter's request under no route).
   */
  public java.util.Map<String, Integer> inflightByRoute() {
    return open.byRoute();
  }

  /**
   * Requests refused at admission since start, by reason, zeros included: a key refused 403 ({@code
   * no_key}, {@code unknown_key}, {@code conflicting_keys}, {@code malformed_key}, {@code
   * unchecked_credential}, {@code query_key_mismatch}, {@code internal_error}) and each policy
   * refusal by its error ({@code rate_limited}, {@code budget_exceeded}, {@code model_not_allowed},
   * {@code key_expired}, {@code bad_request}, {@code limit_store_unavailable}, {@code
   * malformed_request_body}) — the policy ones are also records with that {@code error_type}.
   */
  public java.util.Map<String, Long> deniedByReason() {
    return denials.snapshot();
  }

  /** Queues the record for the stats file; an accepted record is shown to every observer. */
  private void record(UsageRecord record, long overheadNanos) {
    if (!stats.offer(record)) {
      return;
    }
    for (RecordObserver observer : observers) {
      try {
        observer.recorded(record, overheadNanos);
      } catch (RuntimeException e) {
        if (failedObservers.add(observer)) {
          log.error(
              "A record observer ({}) failed; its failures are ignored from now on and requests are"
                  + " not affected",
              observer.getClass().getName(),
              e);
        }
      }
    }
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
   * Waits up to {@link #CLOSE_WAIT} for exchanges still ending (a stopped server's cut streams
   * report their failure on other threads), stops reloading the allow-list, logs any pending denial
   * summary, writes every queued record and closes the observers that are {@link AutoCloseable}
   * (the OpenTelemetry export sends what it still holds). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // exchanges a stopping server cut are still ending on other threads: their records first
      if (!open.awaitNone(CLOSE_WAIT)) {
        log.warn(
            "{} exchanges still open after {} s; their records will not be written",
            open.count(),
            CLOSE_WAIT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reloader.shutdownNow();
    try {
      reloader.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    denialLog.flush();
    stats.close();
    policing.closeCharges();
    for (RecordObserver observer : observers) {
      if (observer instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          log.warn(
              "A record observer ({}) did not close cleanly", observer.getClass().getName(), e);
        }
      }
    }
    try {
      limitStore.close();
    } catch (RuntimeException e) {
      log.warn("The limit store did not close cleanly", e);
    }
  }

  private Optional<Caller> deny(
      String label, String reason, String maskedKey, String clientAddress) {
    denied.incrementAndGet();
    denials.count(label);
    denialLog.denied(reason, maskedKey, clientAddress);
    return Optional.empty();
  }

  private static String reasonLabel(KeyExtraction.Reason reason) {
    return switch (reason) {
      case NO_CREDENTIAL -> Denials.NO_KEY;
      case CONFLICTING_CREDENTIALS -> Denials.CONFLICTING_KEYS;
      case MALFORMED -> Denials.MALFORMED_KEY;
      case UNCHECKED_CREDENTIAL -> Denials.UNCHECKED_CREDENTIAL;
      case FOUND -> Denials.INTERNAL_ERROR;
    };
  }

  private static String describe(KeyExtraction.Reason reason) {
    return switch (reason) {
      case NO_CREDENTIAL -> "no API key";
      case CONFLICTING_CREDENTIALS -> "different keys in several credential headers";
      case MALFORMED -> "malformed credential header";
      case UNCHECKED_CREDENTIAL ->
          "a credential LMGate cannot check (another Authorization scheme, or a header name with _)";
      case FOUND -> "key found";
    };
  }
}
