package ai.numio.lmgate.route;

/**
 * No route prefix matches the path; the adapter answers 404 {@code not_found}.
 *
 * @param message names the configured prefixes, never the request path
 */
public record RouteNotFound(String message) implements RouteResult {}
