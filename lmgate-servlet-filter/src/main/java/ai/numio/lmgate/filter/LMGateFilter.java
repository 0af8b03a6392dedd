package ai.numio.lmgate.filter;

import ai.numio.lmgate.Admission;
import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.ErrorShape;
import ai.numio.lmgate.Failure;
import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.RouteMode;
import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.LoadedConfig;
import ai.numio.lmgate.cost.PriceTableException;
import ai.numio.lmgate.limit.LimitStoreFactory;
import ai.numio.lmgate.metrics.LMGateMetrics;
import ai.numio.lmgate.providerkey.ProviderKeyException;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.servlet.ClientCloseProbe;
import ai.numio.lmgate.servlet.ErrorReplies;
import ai.numio.lmgate.servlet.FailureReports;
import ai.numio.lmgate.servlet.GatedRequest;
import ai.numio.lmgate.servlet.LMGateMetricsServlet;
import ai.numio.lmgate.servlet.ServletRequests;
import ai.numio.lmgate.servlet.WebappConfig;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LMGate as a servlet filter (SPEC §9): requests whose API key is not on the allow-list get 403 and
 * never reach the application; allowed ones carry request attributes {@value #ID_ATTRIBUTE} and
 * {@value #OWNER_ATTRIBUTE}, and their response is passed on unbuffered and metered into one usage
 * record. Declare it async-supported when it fronts asynchronous servlets, and map it to {@code
 * ASYNC} dispatches too if the application uses {@code AsyncContext.dispatch}: then an exception in
 * such a dispatch is recorded as {@code gateway_error} in every container (Jetty 12 does not report
 * it to async listeners). Later dispatches of a request already let in are passed through, never
 * authorized or recorded twice.
 *
 * <p>From {@code web.xml} (no-arg constructor) it reads its configuration at {@link #init}: the
 * YAML file of init-param {@value #CONFIG_PARAM}, else of context init-param {@value
 * #CONTEXT_CONFIG_PARAM}, else of {@code LMGATE_CONFIG}, else the defaults, with {@code LMGATE_*}
 * overrides; an invalid configuration or allow-list fails {@code init}, so the webapp does not
 * deploy. Programmatically it runs on a started {@link LMGate} the caller owns.
 */
public final class LMGateFilter implements Filter {

  /** Request attribute with the caller's allow-list {@code id}. */
  public static final String ID_ATTRIBUTE = "lmgate.id";

  /** Request attribute with the caller's allow-list {@code owner}. */
  public static final String OWNER_ATTRIBUTE = "lmgate.owner";

  /** Init-param: the YAML configuration file. */
  public static final String CONFIG_PARAM = WebappConfig.INIT_PARAM;

  /** Context init-param: the YAML configuration file, when the filter has no {@code config}. */
  public static final String CONTEXT_CONFIG_PARAM = WebappConfig.CONTEXT_PARAM;

  /** Init-param: a route name every request is metered as, instead of choosing by path. */
  public static final String PROVIDER_PARAM = "provider";

  /**
   * Init-param {@code unrouted}: {@code record} (default) authorizes and records a path under no
   * route as provider {@code unknown}; {@code reject} answers it 404 / 400 before authorization,
   * like the standalone gateway — for a filter in front of the WAR's {@code
   * ai.numio.lmgate.forward.ForwardingServlet}.
   */
  public static final String UNROUTED_PARAM = "unrouted";

  private static final Logger log = LoggerFactory.getLogger(LMGateFilter.class);

  private final boolean ownsGate;
  private final Map<String, String> env;
  private final Path workingDir;
  private final String givenProvider;
  private volatile LMGate gate;
  private volatile String provider;
  private volatile boolean rejectUnrouted;

  /** The webapp's servlets that are an {@link LMGateMetricsServlet}: their requests pass. */
  private volatile Set<String> metricsServlets = Set.of();

  /** How the core treats a request's route; decided once, at {@link #init}. */
  private volatile RouteMode routeMode;

  /**
   * Looks at HTTP/1.1 client connections where the container lets it ({@link ClientConnection}).
   */
  private volatile ClientCloseProbe clientCloseProbe;

  /** For {@code web.xml}: configured at {@link #init} from its init-params and the environment. */
  public LMGateFilter() {
    this(System.getenv(), Path.of("").toAbsolutePath());
  }

  /** As the no-arg constructor, with this environment and working directory (for tests). */
  LMGateFilter(Map<String, String> env, Path workingDir) {
    this.ownsGate = true;
    this.env = Map.copyOf(env);
    this.workingDir = workingDir;
    this.givenProvider = null;
  }

  /**
   * A filter on a started core the caller owns (and closes); init-param {@value #PROVIDER_PARAM}
   * still applies.
   */
  public LMGateFilter(LMGate gate) {
    this.ownsGate = false;
    this.env = Map.of();
    this.workingDir = null;
    this.gate = Objects.requireNonNull(gate, "gate");
    this.givenProvider = null;
  }

  /**
   * A filter on a started core the caller owns, metering every request as route {@code provider}.
   *
   * @throws IllegalArgumentException if no configured route has that name (the message lists them)
   */
  public LMGateFilter(LMGate gate, String provider) {
    this.ownsGate = false;
    this.env = Map.of();
    this.workingDir = null;
    this.gate = Objects.requireNonNull(gate, "gate");
    this.givenProvider = Objects.requireNonNull(provider, "provider");
    String problem = providerProblem(gate, provider);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    this.provider = provider;
  }

  /**
   * Reads the init-params; a filter from {@code web.xml} loads its configuration and allow-list and
   * starts its core here.
   *
   * @throws ServletException listing every configuration or allow-list problem, or naming the valid
   *     routes for an unknown {@value #PROVIDER_PARAM}
   */
  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    try {
      initialize(filterConfig);
    } catch (ServletException e) {
      // containers put the exception in a log few operators read first; say it plainly too
      log.error("{}", e.getMessage());
      throw e;
    }
  }

  private void initialize(FilterConfig filterConfig) throws ServletException {
    FilterSettings settings = FilterSettings.read(filterConfig);
    rejectUnrouted = settings.rejectUnrouted();
    LMGate started = gate;
    if (ownsGate) {
      started = start(settings);
    } else if (settings.configFile().isPresent()) {
      log.warn(
          "LMGate filter '{}': {} is ignored; this filter runs on the LMGate it was given",
          settings.filterName(),
          settings.configOrigin());
    }
    String chosen = givenProvider != null ? givenProvider : settings.provider().orElse(null);
    String problem = chosen == null ? null : providerProblem(started, chosen);
    if (problem != null) {
      if (ownsGate) {
        started.close();
      }
      throw new ServletException(
          "LMGate filter '"
              + settings.filterName()
              + "' cannot start: init-param '"
              + PROVIDER_PARAM
              + "': "
              + problem);
    }
    gate = started;
    provider = chosen;
    if (ClientConnection.visible()) {
      clientCloseProbe = ClientCloseProbe.open();
    }
    // the webapp's LMGateMetricsServlet serves these; counting starts before the first request
    if (filterConfig.getServletContext() != null) {
      try {
        LMGateMetricsServlet.publish(
            filterConfig.getServletContext(), LMGateMetrics.attach(started));
        metricsServlets = metricsServletNames(filterConfig.getServletContext());
      } catch (RuntimeException e) {
        // metrics are an extra: a context that refuses attributes still gets its gate
        log.warn(
            "LMGate filter '{}': metrics not published for LMGateMetricsServlet ({})",
            settings.filterName(),
            e.toString());
      }
    }
    routeMode =
        chosen != null
            ? RouteMode.fixed(chosen)
            : rejectUnrouted ? RouteMode.REQUIRED : RouteMode.OPTIONAL;
    log.info(
        "LMGate filter '{}' ready: {} allow-list entries from {}, records to {}, provider {}",
        settings.filterName(),
        started.allowList().size(),
        started.config().auth().allowlistPath(),
        started.config().stats().outputPath(),
        chosen == null ? "by route prefix" : "'" + chosen + "'");
  }

  /** A request's life in the filter: admit, hand on metered, record when the response is over. */
  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)) {
      throw new ServletException("LMGateFilter handles HTTP requests only");
    }
    if (!metricsServlets.isEmpty()
        && request.getHttpServletMapping() != null
        && metricsServlets.contains(request.getHttpServletMapping().getServletName())) {
      chain.doFilter(request, response); // a scrape: the metrics servlet checks its own token
      return;
    }
    Optional<GatedRequest> earlier = GatedRequest.of(request);
    if (earlier.isPresent()) {
      redispatch(earlier.get(), request, response, chain);
      return;
    }
    Admission admission = admit(request);
    if (admission instanceof Admission.Refused refused) {
      ErrorReplies.refuse(request, response, refused);
      return;
    }
    Admission.Admitted admitted = (Admission.Admitted) admission;
    request.setAttribute(ID_ATTRIBUTE, admitted.caller().id());
    request.setAttribute(OWNER_ATTRIBUTE, admitted.caller().owner());
    GatedRequest.attach(
        request, admitted.caller(), admitted.exchange(), admitted.upstreamCredential());
    FailureReports.listen(request, admitted.exchange()::noteFailure);
    MeteredExchange metered =
        new MeteredExchange(
            admitted.exchange(),
            response,
            ClientConnection.of(request, clientCloseProbe),
            gate.config().server().overheadHeader());
    MeteringResponse meteringResponse = new MeteringResponse(response, metered);
    metered.handedOver();
    try {
      chain.doFilter(
          new MeteringRequest(request, meteringResponse, admitted.readAhead()), meteringResponse);
    } catch (Throwable t) {
      metered.noteReportedFailure(request);
      metered.failNow();
      throw t;
    }
    metered.noteReportedFailure(request);
    if (!AsyncCompletion.follow(request, metered)) {
      metered.finish();
    }
  }

  /** The core's admission; an unexpected failure refuses the request (fail closed). */
  private Admission admit(HttpServletRequest request) throws ServletException {
    LMGate current = gate;
    RouteMode mode = routeMode;
    if (current == null || mode == null) {
      throw new ServletException("LMGateFilter was not initialized");
    }
    try {
      return current.admit(ServletRequests.incoming(request), mode);
    } catch (RuntimeException e) {
      log.error("LMGate admission failed unexpectedly; request denied (fail closed)", e);
      return new Admission.Refused(ErrorResponse.FORBIDDEN, ErrorShape.LMGATE);
    }
  }

  /**
   * A later dispatch (async, error, forward, include) of a request LMGate already let in: no second
   * authorization or record; an exception there still marks the exchange failed, which matters
   * where the container does not report it to async listeners (Jetty 12, when the filter is also
   * mapped to {@code ASYNC} dispatches).
   */
  private static void redispatch(
      GatedRequest gated, ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    try {
      chain.doFilter(req, res);
    } catch (Throwable t) {
      gated.exchange().noteFailure(Failure.GATEWAY_ERROR);
      throw t;
    }
  }

  /** A filter from {@code web.xml} closes its core (queued records written); else flushes them. */
  @Override
  public void destroy() {
    ClientCloseProbe probe = clientCloseProbe;
    if (probe != null) {
      probe.close();
    }
    LMGate current = gate;
    if (current == null) {
      return;
    }
    try {
      if (ownsGate) {
        current.shuttingDown(Duration.ZERO); // what fails from now on was cut by the undeploy
        current.close();
      } else {
        current.flushRecords();
      }
    } catch (RuntimeException e) {
      log.error("LMGate filter could not write its queued usage records", e);
    }
  }

  private LMGate start(FilterSettings settings) throws ServletException {
    String cannotStart = "LMGate filter '" + settings.filterName() + "' cannot start: ";
    LoadedConfig loaded =
        new WebappConfig(settings.configFile(), settings.configOrigin())
            .load(env, workingDir, "LMGate filter '" + settings.filterName() + "'");
    try {
      return LMGate.start(loaded.config(), TimeSource.system(), LimitStoreFactory.standard(), env);
    } catch (AllowListException e) {
      throw new ServletException(
          cannotStart + "invalid allow-list" + WebappConfig.bullets(e.problems()));
    } catch (PriceTableException e) {
      throw new ServletException(
          cannotStart + "invalid price table" + WebappConfig.bullets(e.problems()));
    } catch (ProviderKeyException e) {
      throw new ServletException(
          cannotStart + "a provider key cannot be resolved" + WebappConfig.bullets(e.problems()));
    } catch (RuntimeException e) {
      throw new ServletException(cannotStart + e.getMessage(), e);
    }
  }

  private static Set<String> metricsServletNames(ServletContext context) {
    Set<String> names = new java.util.HashSet<>();
    try {
      context
          .getServletRegistrations()
          .forEach(
              (name, registration) -> {
                if (LMGateMetricsServlet.class.getName().equals(registration.getClassName())) {
                  names.add(name);
                }
              });
    } catch (RuntimeException e) {
      log.debug("LMGate filter could not list the webapp's servlets: {}", e.toString());
    }
    return Set.copyOf(names);
  }

  /** Null if {@code provider} names a configured route, else what is wrong. */
  private static String providerProblem(LMGate gate, String provider) {
    List<String> names = gate.config().routes().stream().map(Route::name).toList();
    if (names.contains(provider)) {
      return null;
    }
    return "no route is named '"
        + provider
        + "'; configured routes: "
        + names.stream().collect(Collectors.joining(", "));
  }
}
