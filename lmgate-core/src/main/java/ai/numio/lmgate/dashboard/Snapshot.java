package ai.numio.lmgate.dashboard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The sums of one range at one moment, copied out of the rings under the aggregate's lock. */
final class Snapshot {

  /** Groups drawn on the chart; the rest are summed as {@code (other)}. */
  static final int CHART_GROUPS = 6;

  /** Rows of the top-spenders table. */
  static final int TOP_SPENDERS = 10;

  /** The counters of one value (or of everything) over the range, and per bucket. */
  static final class Totals {
    final String name;
    final long[] sums = new long[Window.FIELDS];
    double cost;
    final long[][] series; // [field][bucket], or null when not kept
    final double[] costSeries;

    Totals(String name, int buckets, boolean keepSeries) {
      this.name = name;
      this.series = keepSeries ? new long[Window.FIELDS][buckets] : null;
      this.costSeries = keepSeries ? new double[buckets] : null;
    }

    long tokens() {
      return sums[Window.INPUT] + sums[Window.OUTPUT];
    }

    void add(long[] counters, double[] costs, int slot, int bucket) {
      int base = slot * Window.FIELDS;
      for (int f = 0; f < Window.FIELDS; f++) {
        long v = counters[base + f];
        sums[f] += v;
        if (series != null) {
          series[f][bucket] += v;
        }
      }
      cost += costs[slot];
      if (costSeries != null) {
        costSeries[bucket] += costs[slot];
      }
    }

    void add(Totals other) {
      for (int f = 0; f < Window.FIELDS; f++) {
        sums[f] += other.sums[f];
        if (series != null && other.series != null) {
          for (int b = 0; b < series[f].length; b++) {
            series[f][b] += other.series[f][b];
          }
        }
      }
      cost += other.cost;
      if (costSeries != null && other.costSeries != null) {
        for (int b = 0; b < costSeries.length; b++) {
          costSeries[b] += other.costSeries[b];
        }
      }
    }
  }

  record ErrorCount(String errorType, boolean refusal, long count) {}

  /** Counts per bucket of each histogram, over the range. */
  record Latency(long[] duration, long[] ttfb, long[] overhead) {}

  final Range range;
  final Dimension by;
  final long generatedAt;
  final long[] bucketStarts;
  final Totals total;
  final List<Totals> groups;
  final List<Totals> topSpenders;
  final List<ErrorCount> errorTypes;
  final Latency latency;
  final int inflight;
  final History.View history;

  private Snapshot(
      Range range,
      Dimension by,
      long generatedAt,
      long[] bucketStarts,
      Totals total,
      List<Totals> groups,
      List<Totals> topSpenders,
      List<ErrorCount> errorTypes,
      Latency latency,
      int inflight,
      History.View history) {
    this.range = range;
    this.by = by;
    this.generatedAt = generatedAt;
    this.bucketStarts = bucketStarts;
    this.total = total;
    this.groups = groups;
    this.topSpenders = topSpenders;
    this.errorTypes = errorTypes;
    this.latency = latency;
    this.inflight = inflight;
    this.history = history;
  }

  private static final Comparator<Totals> BIGGEST_FIRST =
      Comparator.comparingDouble((Totals t) -> t.cost)
          .thenComparingLong(Totals::tokens)
          .thenComparingLong(t -> t.sums[Window.REQUESTS])
          .reversed()
          .thenComparing(t -> t.name);

  /** Sums the buckets of {@code w} that lie in the range ending now; called under the lock. */
  @SuppressWarnings("ParameterNumber")
  static Snapshot take(
      Window w,
      long nowMillis,
      Dimension by,
      Names[] names,
      Names errorTypeNames,
      int inflight,
      History.View history) {
    int buckets = w.slots;
    long nowEpoch = w.epochOf(nowMillis);
    long firstEpoch = nowEpoch - buckets + 1;
    long[] starts = new long[buckets];
    int[] slotOf = new int[buckets];
    for (int b = 0; b < buckets; b++) {
      starts[b] = (firstEpoch + b) * w.range.bucketMillis();
      slotOf[b] = w.slotHolding(firstEpoch + b);
    }

    // Every record is under exactly one route, so the routes add up to the total.
    Totals total = new Totals("total", buckets, true);
    for (Totals t : perValue(w, Dimension.ROUTE, names, slotOf, false)) {
      total.add(t);
    }
    // the total's series: summed per bucket over the routes
    fillSeries(total, w, Dimension.ROUTE, slotOf);

    List<Totals> values = perValue(w, by, names, slotOf, true);
    values.sort(BIGGEST_FIRST);
    List<Totals> groups = new ArrayList<>();
    Totals rest = null;
    for (Totals t : values) {
      if (t.sums[Window.REQUESTS] == 0) {
        continue;
      }
      if (groups.size() < CHART_GROUPS && !t.name.equals(Names.OTHER)) {
        groups.add(t);
      } else {
        if (rest == null) {
          rest = new Totals(Names.OTHER, buckets, true);
        }
        rest.add(t);
      }
    }
    if (rest != null) {
      groups.add(rest);
    }

    List<Totals> owners = perValue(w, Dimension.OWNER, names, slotOf, false);
    owners.removeIf(t -> t.sums[Window.REQUESTS] == 0);
    owners.sort(BIGGEST_FIRST);
    List<Totals> top = List.copyOf(owners.subList(0, Math.min(TOP_SPENDERS, owners.size())));

    List<ErrorCount> errors = new ArrayList<>();
    int errorTypeCount = errorTypeNames.size();
    for (int e = 0; e <= errorTypeNames.other(); e++) {
      if (e >= errorTypeCount && e != errorTypeNames.other()) {
        continue;
      }
      long n = 0;
      for (int slot : slotOf) {
        if (slot >= 0) {
          n += w.errorTypeCount(slot, e);
        }
      }
      if (n > 0) {
        String name = errorTypeNames.name(e);
        errors.add(new ErrorCount(name, UsageAggregate.REFUSALS.contains(name), n));
      }
    }
    errors.sort(
        Comparator.comparingLong(ErrorCount::count)
            .reversed()
            .thenComparing(ErrorCount::errorType));

    long[][] hist = new long[Window.HISTOGRAMS][LogHistogram.BUCKETS];
    for (int slot : slotOf) {
      if (slot < 0) {
        continue;
      }
      for (int h = 0; h < Window.HISTOGRAMS; h++) {
        int offset = w.histogramOffset(slot, h);
        for (int b = 0; b < LogHistogram.BUCKETS; b++) {
          hist[h][b] += w.histograms[offset + b];
        }
      }
    }
    return new Snapshot(
        w.range,
        by,
        nowMillis,
        starts,
        total,
        List.copyOf(groups),
        top,
        List.copyOf(errors),
        new Latency(hist[Window.DURATION], hist[Window.TTFB], hist[Window.OVERHEAD]),
        inflight,
        history);
  }

  private static void fillSeries(Totals total, Window w, Dimension d, int[] slotOf) {
    // perValue without series kept the sums only; the total's series comes from the same arrays
    long[][] counters = w.counts[d.ordinal()];
    double[][] costs = w.costs[d.ordinal()];
    for (int v = 0; v < counters.length; v++) {
      if (counters[v] == null) {
        continue;
      }
      for (int b = 0; b < slotOf.length; b++) {
        int slot = slotOf[b];
        if (slot < 0) {
          continue;
        }
        int base = slot * Window.FIELDS;
        for (int f = 0; f < Window.FIELDS; f++) {
          total.series[f][b] += counters[v][base + f];
        }
        total.costSeries[b] += costs[v][slot];
      }
    }
  }

  private static List<Totals> perValue(
      Window w, Dimension d, Names[] names, int[] slotOf, boolean keepSeries) {
    long[][] counters = w.counts[d.ordinal()];
    double[][] costs = w.costs[d.ordinal()];
    Names n = names[d.ordinal()];
    List<Totals> out = new ArrayList<>();
    for (int v = 0; v < counters.length; v++) {
      if (counters[v] == null) {
        continue;
      }
      Totals t = new Totals(n.name(v), slotOf.length, keepSeries);
      for (int b = 0; b < slotOf.length; b++) {
        if (slotOf[b] >= 0) {
          t.add(counters[v], costs[v], slotOf[b], b);
        }
      }
      out.add(t);
    }
    return out;
  }
}
