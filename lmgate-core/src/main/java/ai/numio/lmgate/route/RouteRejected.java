package ai.numio.lmgate.route;

/**
 * The path could leave its route or means different things to different servers; the adapter
 * answers 400 {@code bad_request}.
 *
 * @param message the rule broken and its offset in the path, never the path itself
 */
public record RouteRejected(String message) implements RouteResult {}
