package ai.numio.lmgate;

import java.util.List;

/** Read access to HTTP headers, whatever the container: adapters pass a lambda. */
@FunctionalInterface
public interface Headers {

  /**
   * Every value of the named header (name compared case-insensitively), in order; empty if none.
   */
  List<String> values(String name);

  /**
   * Every header name of the request, as sent; empty where the adapter cannot enumerate them (then
   * credential headers spelled with underscores are not looked for).
   */
  default Iterable<String> names() {
    return List.of();
  }

  /** The first value of the named header, or null. */
  default String first(String name) {
    List<String> values = values(name);
    return values.isEmpty() ? null : values.get(0);
  }
}
