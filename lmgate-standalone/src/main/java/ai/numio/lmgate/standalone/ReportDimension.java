package ai.numio.lmgate.standalone;

import java.util.List;

/** What {@code lmgate report --by} groups records by. */
enum ReportDimension {
  /** The allow-list {@code owner}. */
  OWNER("owner"),
  /** The record's {@code model}. */
  MODEL("model"),
  /** The route name, the record's {@code provider}. */
  PROVIDER("provider"),
  /** The allow-list id of the key, the record's {@code lmgate_id}. */
  KEY("key"),
  /** The UTC date of the record's {@code timestamp}, {@code yyyy-MM-dd}. */
  DAY("day");

  /** The grouping without {@code --by}: per owner, provider and model. */
  static final List<ReportDimension> DEFAULT = List.of(OWNER, PROVIDER, MODEL);

  private final String optionValue;

  ReportDimension(String optionValue) {
    this.optionValue = optionValue;
  }

  /** The value of {@code --by} that names this dimension; also its column name. */
  String optionValue() {
    return optionValue;
  }

  /** The dimension {@code --by value} names, or null. */
  static ReportDimension forOption(String value) {
    for (ReportDimension d : values()) {
      if (d.optionValue.equals(value)) {
        return d;
      }
    }
    return null;
  }
}
