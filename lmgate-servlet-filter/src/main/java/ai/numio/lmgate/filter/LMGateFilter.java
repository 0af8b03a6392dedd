package ai.numio.lmgate.filter;

import ai.numio.lmgate.Caller;
import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.LoadedConfig;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.route.RouteMatch;
import ai.numio.lmgate.route.RouteNotFound;
import ai.numio.lmgate.route.RouteResult;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
   * like the standalone gateway — for a filter in front of LMGate's own {@link ForwardingServlet}.
   */
  public static final String UNROUTED_PARAM = "unrouted";

  private static final Logger log = LoggerFactory.getLogger(LMGateFilter.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final boolean ownsGate;
  private final Map<String, String> env;
  private final Path workingDir;
  private final String givenProvider;
  private final String meteredAttribute =
      LMGateFilter.class.getName() + ".metered." + INSTANCES.incrementAndGet();
  private volatile LMGate gate;
  private volatile String provider;
  private volatile boolean rejectUnrouted;

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
    log.info(
        "LMGate filter '{}' ready: {} allow-list entries from {}, records to {}, provider {}",
        settings.filterName(),
        started.allowList().size(),
        started.config().auth().allowlistPath(),
        started.config().stats().outputPath(),
        chosen == null ? "by route prefix" : "'" + chosen + "'");
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)) {
      throw new ServletException("LMGateFilter handles HTTP requests only");
    }
    Object handled = request.getAttribute(meteredAttribute);
    if (handled != null) {
      redispatch(handled, req, res, chain);
      return;
    }
    LMGate current = gate;
    if (current == null) {
      throw new ServletException("LMGateFilter was not initialized");
    }
    if (rejectUnrouted) {
      RouteResult route = current.route(pathInWebapp(request));
      if (!(route instanceof RouteMatch)) {
        answer(
            response,
            route instanceof RouteNotFound
                ? ErrorResponse.notFound(route.message())
                : ErrorResponse.badPath(route.message()));
        return;
      }
    }
    Optional<Caller> caller;
    try {
      caller =
          current.authorize(
              name -> values(request.getHeaders(name)),
              request.getQueryString(),
              request.getRemoteAddr());
    } catch (RuntimeException e) { // the core fails closed itself; so does the adapter
      log.error("LMGate authorization failed unexpectedly; request denied (fail closed)", e);
      caller = Optional.empty();
    }
    if (caller.isEmpty()) {
      forbid(response);
      return;
    }
    request.setAttribute(ID_ATTRIBUTE, caller.get().id());
    request.setAttribute(OWNER_ATTRIBUTE, caller.get().owner());
    MeteredExchange metered = begin(current, caller.get(), request, response);
    if (metered == null) {
      request.setAttribute(meteredAttribute, Boolean.TRUE);
      chain.doFilter(request, response); // authorized; metering could not start (logged)
      return;
    }
    request.setAttribute(meteredAttribute, metered);
    MeteringResponse meteringResponse = new MeteringResponse(response, metered);
    try {
      chain.doFilter(new MeteringRequest(request, meteringResponse), meteringResponse);
    } catch (Throwable t) {
      metered.noteReportedFailure(request);
      metered.failNow();
      throw t;
    }
    metered.noteReportedFailure(request);
    if (request.isAsyncStarted()) {
      try {
        request.getAsyncContext().addListener(new AsyncCompletion(metered));
        return;
      } catch (IllegalStateException e) {
        log.warn("LMGate could not follow an asynchronous response; recording it now", e);
      }
    }
    metered.finish();
  }

  /**
   * A later dispatch (async, error, forward, include) of a request this filter already let in: no
   * second authorization or record; an exception there still marks the exchange failed, which
   * matters where the container does not report it to async listeners (Jetty 12, when the filter is
   * also mapped to {@code ASYNC} dispatches).
   */
  private static void redispatch(
      Object handled, ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    try {
      chain.doFilter(req, res);
    } catch (Throwable t) {
      if (handled instanceof MeteredExchange metered) {
        metered.noteFailure(Failure.GATEWAY_ERROR);
      }
      throw t;
    }
  }

  /** A filter from {@code web.xml} closes its core (queued records written); else flushes them. */
  @Override
  public void destroy() {
    LMGate current = gate;
    if (current == null) {
      return;
    }
    try {
      if (ownsGate) {
        current.close();
      } else {
        current.flushRecords();
      }
    } catch (RuntimeException e) {
      log.error("LMGate filter could not write its queued usage records", e);
    }
  }

  private MeteredExchange begin(
      LMGate current, Caller caller, HttpServletRequest request, HttpServletResponse response) {
    try {
      String path = pathInWebapp(request);
      String chosen = provider;
      Exchange exchange;
      if (chosen != null) {
        exchange = current.begin(caller, chosen, true, request.getMethod(), path);
      } else {
        RouteResult route = current.route(path);
        exchange =
            route instanceof RouteMatch match
                ? current.begin(caller, match, request.getMethod(), path)
                : current.begin(caller, LMGate.UNKNOWN_PROVIDER, false, request.getMethod(), path);
      }
      return new MeteredExchange(exchange, response);
    } catch (RuntimeException e) {
      log.warn("LMGate metering could not start; the request goes on unmetered", e);
      return null;
    }
  }

  private LMGate start(FilterSettings settings) throws ServletException {
    String cannotStart = "LMGate filter '" + settings.filterName() + "' cannot start: ";
    LoadedConfig loaded =
        new WebappConfig(settings.configFile(), settings.configOrigin())
            .load(env, workingDir, "LMGate filter '" + settings.filterName() + "'");
    try {
      return LMGate.start(loaded.config());
    } catch (AllowListException e) {
      throw new ServletException(
          cannotStart + "invalid allow-list" + WebappConfig.bullets(e.problems()));
    } catch (RuntimeException e) {
      throw new ServletException(cannotStart + e.getMessage(), e);
    }
  }

  /** The raw request path inside the webapp, without query: the record's endpoint. */
  private static String pathInWebapp(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    String path =
        context != null && !context.isEmpty() && uri.startsWith(context)
            ? uri.substring(context.length())
            : uri;
    return path.isEmpty() ? "/" : path;
  }

  private static List<String> values(Enumeration<String> values) {
    return values == null ? List.of() : Collections.list(values);
  }

  /** The 403 answer; headers set by filters before this one (CORS, say) are kept. */
  private static void forbid(HttpServletResponse response) throws IOException {
    answer(response, ErrorResponse.FORBIDDEN);
  }

  private static void answer(HttpServletResponse response, ErrorResponse error) throws IOException {
    byte[] body = error.body();
    response.setStatus(error.status());
    response.setContentType(ErrorResponse.CONTENT_TYPE);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
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
