package ai.numio.lmgate.filter;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One webapp to deploy in a test container: a context path, the LMGate filter on {@code /*} (an
 * instance, or the class for the container to instantiate as from {@code web.xml}), its
 * init-params, context init-params, servlets, and filters that run before it.
 */
final class WebApp {

  final String contextPath;
  final Map<String, String> filterParams = new LinkedHashMap<>();
  final Map<String, String> contextParams = new LinkedHashMap<>();
  final Map<String, HttpServlet> servlets = new LinkedHashMap<>();
  final List<Filter> filtersBefore = new ArrayList<>();
  final EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST);
  Filter filter;

  private WebApp(String contextPath) {
    this.contextPath = contextPath;
  }

  /** A webapp at {@code contextPath} ("" for the root) whose filter the container instantiates. */
  static WebApp at(String contextPath) {
    return new WebApp(contextPath);
  }

  /**
   * Uses this filter instance instead of letting the container instantiate {@link LMGateFilter}.
   */
  WebApp filter(Filter instance) {
    this.filter = instance;
    return this;
  }

  /** Maps the LMGate filter to these dispatches as well as {@code REQUEST}. */
  WebApp alsoOn(DispatcherType... types) {
    dispatches.addAll(List.of(types));
    return this;
  }

  WebApp filterParam(String name, String value) {
    filterParams.put(name, value);
    return this;
  }

  WebApp contextParam(String name, String value) {
    contextParams.put(name, value);
    return this;
  }

  WebApp servlet(String pattern, HttpServlet servlet) {
    servlets.put(pattern, servlet);
    return this;
  }

  /** A filter mapped before the LMGate filter (it sees what the LMGate filter lets through). */
  WebApp before(Filter outer) {
    filtersBefore.add(outer);
    return this;
  }
}
