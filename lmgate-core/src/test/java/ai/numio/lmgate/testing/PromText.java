package ai.numio.lmgate.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0 text, for
 * tests (no Java parser of the format is on Maven Central in this mirror: the Prometheus Java
 * client only writes it). It follows the grammar of both documents and rejects what Prometheus's
 * own parser rejects: a malformed line, name or label, a bad escape, an unparsable value, a sample
 * before its family's {@code # TYPE} or outside its family's contiguous block, a second {@code #
 * TYPE} or {@code # HELP} for a family, a duplicate series, histogram buckets that are not
 * cumulative or whose {@code +Inf} bucket is not {@code _count}; in OpenMetrics also a missing
 * final {@code # EOF}, anything after it, and a counter sample without {@code _total}.
 */
public final class PromText {

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped", "unknown", "stateset", "info");

  private final List<Sample> samples;
  private final Map<String, String> types;

  private PromText(List<Sample> samples, Map<String, String> types) {
    this.samples = samples;
    this.types = types;
  }

  /** Parses Prometheus text 0.0.4. */
  public static PromText parse(String text) {
    return parse(text, false);
  }

  /** Parses OpenMetrics 1.0 text. */
  public static PromText parseOpenMetrics(String text) {
    return parse(text, true);
  }

  /** Every sample, in order. */
  public List<Sample> samples() {
    return samples;
  }

  /** The declared type of each family. */
  public Map<String, String> types() {
    return types;
  }

  /** The samples of this exact sample name. */
  public List<Sample> named(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The value of the one sample of this name whose labels include {@code labels}; 0 if none. */
  public double value(String name, Map<String, String> labels) {
    double sum = 0;
    int found = 0;
    for (Sample s : named(name)) {
      if (s.labels().entrySet().containsAll(labels.entrySet())
          && s.labels().size() == labels.size()) {
        sum += s.value();
        found++;
      }
    }
    if (found > 1) {
      throw new AssertionError("several samples " + name + labels);
    }
    return sum;
  }

  /** Sums of the samples of {@code name}, grouped by the values of {@code labels}. */
  public Map<List<String>, Double> sumBy(String name, String... labels) {
    Map<List<String>, Double> sums = new TreeMap<>(PromText::compareLists);
    for (Sample s : named(name)) {
      List<String> key = new ArrayList<>();
      for (String label : labels) {
        key.add(s.labels().getOrDefault(label, ""));
      }
      sums.merge(key, s.value(), Double::sum);
    }
    return sums;
  }

  static int compareLists(List<String> a, List<String> b) {
    return String.join("\u0000", a).compareTo(String.join("\u0000", b));
  }

  private static PromText parse(String text, boolean openMetrics) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    Set<String> helps = new HashSet<>();
    Set<String> closedFamilies = new HashSet<>();
    Set<String> seriesSeen = new HashSet<>();
    String currentFamily = null;
    String[] lines = text.split("\n", -1);
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition does not end with a newline");
    }
    boolean eof = false;
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + ": " + line;
      if (eof) {
        throw new IllegalArgumentException("content after # EOF at " + where);
      }
      if (line.isEmpty()) {
        if (openMetrics) {
          throw new IllegalArgumentException("empty line in OpenMetrics at " + where);
        }
        continue;
      }
      if (line.startsWith("#")) {
        if (line.equals("# EOF")) {
          eof = true;
          continue;
        }
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3
            && (parts[1].equals("TYPE") || parts[1].equals("HELP") || parts[1].equals("UNIT"))) {
          String family = parts[2];
          requireName(family, where);
          if (!family.equals(currentFamily)) {
            if (closedFamilies.contains(family)
                || types.containsKey(family) && !family.equals(currentFamily)) {
              throw new IllegalArgumentException("family declared twice at " + where);
            }
            if (currentFamily != null) {
              closedFamilies.add(currentFamily);
            }
            currentFamily = family;
          }
          if (parts[1].equals("TYPE")) {
            if (parts.length != 4 || !TYPES.contains(parts[3])) {
              throw new IllegalArgumentException("bad TYPE at " + where);
            }
            if (types.put(family, parts[3]) != null) {
              throw new IllegalArgumentException("second TYPE at " + where);
            }
          } else if (parts[1].equals("HELP") && !helps.add(family)) {
            throw new IllegalArgumentException("second HELP at " + where);
          }
          continue;
        }
        if (openMetrics) {
          throw new IllegalArgumentException("unknown comment in OpenMetrics at " + where);
        }
        continue;
      }
      Sample sample = sample(line, where);
      String family = familyOf(sample.name(), types, openMetrics);
      if (family == null) {
        throw new IllegalArgumentException("sample without # TYPE of its family at " + where);
      }
      if (!family.equals(currentFamily)) {
        throw new IllegalArgumentException("sample outside its family's block at " + where);
      }
      if (!seriesSeen.add(sample.name() + new TreeMap<>(sample.labels()))) {
        throw new IllegalArgumentException("duplicate series at " + where);
      }
      samples.add(sample);
    }
    if (openMetrics && !eof) {
      throw new IllegalArgumentException("OpenMetrics exposition without # EOF");
    }
    checkHistograms(samples, types, openMetrics);
    return new PromText(List.copyOf(samples), types);
  }

  private static String familyOf(String name, Map<String, String> types, boolean openMetrics) {
    if (types.containsKey(name)) {
      String type = types.get(name);
      if (openMetrics && type.equals("counter")) {
        return null; // an OpenMetrics counter's samples end in _total
      }
      if (type.equals("histogram")) {
        return null; // only its _bucket, _sum and _count samples
      }
      return name;
    }
    for (String suffix : new String[] {"_total", "_bucket", "_sum", "_count", "_created"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if (type == null) {
          continue;
        }
        boolean fits =
            switch (suffix) {
              case "_total" -> type.equals("counter") && openMetrics;
              case "_bucket" -> type.equals("histogram");
              case "_sum", "_count" -> type.equals("histogram") || type.equals("summary");
              default -> true;
            };
        if (fits) {
          return base;
        }
      }
    }
    return null;
  }

  private static void checkHistograms(
      List<Sample> samples, Map<String, String> types, boolean openMetrics) {
    for (Map.Entry<String, String> family : types.entrySet()) {
      if (!family.getValue().equals("histogram")) {
        continue;
      }
      String name = family.getKey();
      Map<Map<String, String>, List<Sample>> buckets = new HashMap<>();
      Map<Map<String, String>, Double> counts = new HashMap<>();
      for (Sample s : samples) {
        if (s.name().equals(name + "_bucket")) {
          Map<String, String> rest = new TreeMap<>(s.labels());
          if (rest.remove("le") == null) {
            throw new IllegalArgumentException("bucket without le: " + s);
          }
          buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
        } else if (s.name().equals(name + "_count")) {
          counts.put(new TreeMap<>(s.labels()), s.value());
        }
      }
      for (Map.Entry<Map<String, String>, List<Sample>> series : buckets.entrySet()) {
        double previousLe = Double.NEGATIVE_INFINITY;
        double previous = 0;
        double inf = -1;
        for (Sample b : series.getValue()) {
          double le = number(b.labels().get("le"), "le of " + b);
          if (le <= previousLe) {
            throw new IllegalArgumentException("buckets not in increasing le: " + b);
          }
          if (b.value() < previous) {
            throw new IllegalArgumentException("buckets not cumulative: " + b);
          }
          previousLe = le;
          previous = b.value();
          if (Double.isInfinite(le)) {
            inf = b.value();
          }
        }
        Double count = counts.get(series.getKey());
        if (inf < 0 || count == null || inf != count) {
          throw new IllegalArgumentException(
              "histogram "
                  + name
                  + series.getKey()
                  + ": +Inf bucket "
                  + inf
                  + " != count "
                  + count);
        }
      }
    }
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    requireName(name, where);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i < line.length() && line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException("bad labels at " + where);
        }
        String label = line.substring(i, eq);
        if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
          throw new IllegalArgumentException("bad label name '" + label + "' at " + where);
        }
        i = eq + 1;
        if (i >= line.length() || line.charAt(i) != '"') {
          throw new IllegalArgumentException("label value not quoted at " + where);
        }
        i++;
        StringBuilder value = new StringBuilder();
        while (true) {
          if (i >= line.length()) {
            throw new IllegalArgumentException("unterminated label value at " + where);
          }
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            char e = i < line.length() ? line.charAt(i++) : 0;
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException("bad escape at " + where);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          throw new IllegalArgumentException("label given twice at " + where);
        }
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw new IllegalArgumentException("expected , or } at " + where);
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("expected a space before the value at " + where);
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException("expected value [timestamp] at " + where);
    }
    double value = number(rest[0], where);
    if (rest.length == 2) {
      number(rest[1], where);
    }
    return new Sample(name, labels, value);
  }

  private static double number(String text, String where) {
    switch (text) {
      case "+Inf", "Inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "NaN" -> {
        return Double.NaN;
      }
      default -> {
        if (!text.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
          throw new IllegalArgumentException("bad number '" + text + "' at " + where);
        }
        return Double.parseDouble(text);
      }
    }
  }

  private static void requireName(String name, String where) {
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name '" + name + "' at " + where);
    }
  }
}
