package ai.numio.lmgate.cost;

import ai.numio.lmgate.route.Format;
import java.util.List;

/**
 * The price table of SPEC-2 §13: entries in file order, the first whose glob (and format, when the
 * entry names one) matches a model wins. Immutable; read one with {@link PriceTableLoader}.
 */
public final class PriceTable {

  /** No entries: every lookup misses, so every cost is null. */
  public static final PriceTable EMPTY = new PriceTable(List.of(), "(no price table)");

  private final List<ModelPrice> entries;
  private final List<Glob> globs;
  private final String source;

  PriceTable(List<ModelPrice> entries, String source) {
    this.entries = List.copyOf(entries);
    this.globs = this.entries.stream().map(e -> Glob.of(e.model())).toList();
    this.source = source;
  }

  /** The entries in precedence (file) order. */
  public List<ModelPrice> entries() {
    return entries;
  }

  /** Where the table was read from, as named when loading. */
  public String source() {
    return source;
  }

  /**
   * The first entry that matches the model (its glob, ignoring case) and the format (an entry
   * without a format matches every format); null when none does or the model is null.
   *
   * @param format the route's metered format; null matches only entries without a format
   */
  public ModelPrice find(String model, Format format) {
    if (model == null) {
      return null;
    }
    for (int i = 0; i < entries.size(); i++) {
      ModelPrice entry = entries.get(i);
      if ((entry.format() == null || entry.format() == format) && globs.get(i).matches(model)) {
        return entry;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "PriceTable[" + source + ", " + entries.size() + " entries]";
  }
}
