package ai.numio.lmgate.dashboard;

import java.util.Locale;

/** What the dashboard's groups are: a usage record's {@code owner}, {@code model} or route. */
public enum Dimension {
  OWNER(100),
  MODEL(50),
  /** The record's {@code provider} field: the route's name. */
  ROUTE(50);

  private final int cap;

  Dimension(int cap) {
    this.cap = cap;
  }

  /** Distinct values kept; records of any further value count under {@code (other)}. */
  public int cap() {
    return cap;
  }

  /** The name the page and the JSON use. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The dimension of that name, or null. */
  public static Dimension named(String name) {
    for (Dimension d : values()) {
      if (d.configName().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
