package ai.numio.lmgate.route;

import java.net.URI;

/**
 * One configured route: requests whose path starts with {@code prefix} go to {@code upstream}.
 *
 * @param name the route name; it is the {@code provider} of every usage record of the route
 * @param prefix the path prefix, of the form {@code /name/} (leading and trailing slash)
 * @param upstream absolute http(s) URI, optionally with a base path, never with a query
 * @param format the API family the upstream speaks
 */
public record Route(String name, String prefix, URI upstream, Format format) {}
