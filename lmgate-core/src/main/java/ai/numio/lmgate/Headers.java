package ai.numio.lmgate;

import java.util.List;

/** Read access to HTTP headers, whatever the container: adapters pass a lambda. */
@FunctionalInterface
public interface Headers {

  /**
   * Every value of the named header (name compared case-insensitively), in order; empty if none.
   */
  List<String> values(String name);

  /** The first value of the named header, or null. */
  default String first(String name) {
    List<String> values = values(name);
    return values.isEmpty() ? null : values.get(0);
  }
}
