package ai.numio.lmgate;

/**
 * How {@link LMGate#admit} treats the route of a request: the gateway and the WAR refuse a path
 * under no route; a filter in front of an application's own egress may meter it as provider {@code
 * unknown}, or meter every request as one named route.
 */
public sealed interface RouteMode {

  /** A path under no route is refused (404), one that tries to leave its route too (400). */
  RouteMode REQUIRED = new ByPath(true);

  /** A path under no route is admitted, recorded as provider {@code unknown}, unmetered. */
  RouteMode OPTIONAL = new ByPath(false);

  /** Every request is metered as the route of this name, whatever its path. */
  static RouteMode fixed(String routeName) {
    return new Fixed(routeName);
  }

  /** The route is chosen by the request path. */
  record ByPath(boolean required) implements RouteMode {}

  /** Every request is metered as route {@code name}. */
  record Fixed(String name) implements RouteMode {}
}
