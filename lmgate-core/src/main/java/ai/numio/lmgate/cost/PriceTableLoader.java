package ai.numio.lmgate.cost;

import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.text.Quoted;
import ai.numio.lmgate.text.YamlNodes;
import ai.numio.lmgate.text.YamlText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the price file of SPEC-2 §13 into a {@link PriceTable}.
 *
 * <p>UTF-8 YAML, at most {@value ai.numio.lmgate.text.YamlText#MAX_BYTES} bytes, with one key
 * {@code models}: a list of entries with the keys of {@link #ENTRY_KEYS} ({@code model}, {@code
 * input} and {@code output} required), and an optional {@code long_context} mapping with the keys
 * of {@link #LONG_CONTEXT_KEYS} ({@code above_input_tokens}, {@code input} and {@code output}
 * required). Prices are decimal numbers of USD per 1 million tokens, zero or more. Every problem in
 * the file is collected and reported together, each naming the file and line.
 */
public final class PriceTableLoader {

  /** Larger than any sane price file; guards against pointing at the wrong file. */
  static final List<String> TOP_KEYS = List.of("models");

  static final List<String> ENTRY_KEYS =
      List.of("model", "format", "input", "output", "cache_read", "cache_write", "long_context");
  static final List<String> LONG_CONTEXT_KEYS =
      List.of("above_input_tokens", "input", "output", "cache_read", "cache_write");

  private PriceTableLoader() {}

  /** Reads and validates the file, named in messages as its path. */
  public static PriceTable load(Path file) throws PriceTableException {
    return load(file, file.toString());
  }

  /**
   * Reads and validates the file; the exception lists every problem found.
   *
   * @param displayName the file as the operator named it, used in every message
   */
  public static PriceTable load(Path file, String displayName) throws PriceTableException {
    try {
      return new Parse(displayName).run(YamlText.read(file, displayName, "price file"));
    } catch (YamlText.Unusable e) {
      throw new PriceTableException(List.of(e.getMessage()));
    }
  }

  /** Validates the file's bytes, which must be UTF-8. */
  public static PriceTable parse(byte[] content, String source) throws PriceTableException {
    try {
      return new Parse(source).run(YamlText.parse(content, source));
    } catch (YamlText.Unusable e) {
      throw new PriceTableException(List.of(e.getMessage()));
    }
  }

  /** Validates YAML text; {@code source} names it in messages (usually the file's path). */
  public static PriceTable parse(String yaml, String source) throws PriceTableException {
    try {
      return new Parse(source).run(YamlText.parse(yaml, source));
    } catch (YamlText.Unusable e) {
      throw new PriceTableException(List.of(e.getMessage()));
    }
  }

  /** One validation run, collecting every problem. */
  private static final class Parse {

    private final String source;

    /** Problems with their line, reported in line order (stable for one line). */
    private final List<Map.Entry<Integer, String>> problems = new ArrayList<>();

    Parse(String source) {
      this.source = source;
    }

    PriceTable run(Node root) throws PriceTableException {
      List<ModelPrice> entries = new ArrayList<>();
      if (root == null || isNull(root)) {
        problems.add(Map.entry(1, source + " line 1: the file is empty; expected a models: list"));
      } else if (!(root instanceof MappingNode mapping)) {
        problem(root, "", "expected a mapping with the key models:, got " + describe(root));
      } else {
        Map<String, NodeTuple> top = entries(mapping, "", TOP_KEYS);
        NodeTuple models = top.get("models");
        if (models == null) {
          problem(root, "", "no models: list (the entries of the price table)");
        } else if (models.getValueNode() instanceof SequenceNode list) {
          int number = 0;
          for (Node item : list.getValue()) {
            number++;
            ModelPrice entry = entry(item, "models entry " + number + ": ");
            if (entry != null) {
              entries.add(entry);
            }
          }
          reportDuplicates(entries);
        } else {
          problem(
              models.getValueNode(),
              "models: ",
              "expected a list of entries (- model: ...), got " + describe(models.getValueNode()));
        }
      }
      if (!problems.isEmpty()) {
        throw new PriceTableException(
            problems.stream()
                .sorted(Comparator.comparing(Map.Entry::getKey))
                .map(Map.Entry::getValue)
                .toList());
      }
      return new PriceTable(entries, source);
    }

    /** The entry, or null (with problems) when any of it is invalid. */
    private ModelPrice entry(Node item, String where) {
      if (!(item instanceof MappingNode mapping)) {
        problem(
            item, where, "expected a mapping (model:, input:, output: ...), got " + describe(item));
        return null;
      }
      int before = problems.size();
      Map<String, NodeTuple> keys = entries(mapping, where, ENTRY_KEYS);
      String model = null;
      NodeTuple modelTuple = keys.get("model");
      if (modelTuple == null) {
        problem(item, where, "model: is missing (the glob on the record's model)");
      } else {
        model = glob(modelTuple.getValueNode(), where + "model: ");
      }
      String label = model == null ? where : where.replace(": ", " (" + quote(model) + "): ");
      Format format = null;
      NodeTuple formatTuple = keys.get("format");
      if (formatTuple != null) {
        format = format(formatTuple.getValueNode(), label + "format: ");
      }
      Double input = requiredPrice(keys, "input", item, label);
      Double output = requiredPrice(keys, "output", item, label);
      Double cacheRead = optionalPrice(keys, "cache_read", label);
      Double cacheWrite = optionalPrice(keys, "cache_write", label);
      ModelPrice.LongContext longContext = null;
      NodeTuple longTuple = keys.get("long_context");
      if (longTuple != null && input != null) {
        longContext =
            longContext(
                longTuple.getValueNode(),
                label + "long_context: ",
                input,
                cacheRead == null ? input : cacheRead,
                cacheWrite == null ? input : cacheWrite);
      } else if (longTuple != null) {
        // still report the tier's own problems
        longContext(longTuple.getValueNode(), label + "long_context: ", 0, 0, 0);
      }
      if (problems.size() > before) {
        return null;
      }
      return new ModelPrice(
          model,
          format,
          input,
          output,
          cacheRead == null ? input : cacheRead,
          cacheWrite == null ? input : cacheWrite,
          longContext,
          origin(item));
    }

    private ModelPrice.LongContext longContext(
        Node node, String where, double input, double cacheRead, double cacheWrite) {
      if (!(node instanceof MappingNode mapping)) {
        problem(
            node,
            where,
            "expected a mapping of "
                + String.join(", ", LONG_CONTEXT_KEYS)
                + ", got "
                + describe(node));
        return null;
      }
      int before = problems.size();
      Map<String, NodeTuple> keys = entries(mapping, where, LONG_CONTEXT_KEYS);
      Long above = null;
      NodeTuple aboveTuple = keys.get("above_input_tokens");
      if (aboveTuple == null) {
        problem(
            node,
            where,
            "above_input_tokens: is missing (the input tokens above which the tier applies)");
      } else {
        above = tokens(aboveTuple.getValueNode(), where + "above_input_tokens: ");
      }
      Double longInput = requiredPrice(keys, "input", node, where);
      Double longOutput = requiredPrice(keys, "output", node, where);
      Double longCacheRead = optionalPrice(keys, "cache_read", where);
      Double longCacheWrite = optionalPrice(keys, "cache_write", where);
      if (problems.size() > before) {
        return null;
      }
      // Without their own figures, the tier's cache prices move with its input price.
      double ratio = input == 0 ? 1 : longInput / input;
      return new ModelPrice.LongContext(
          above,
          longInput,
          longOutput,
          longCacheRead != null ? longCacheRead : cacheRead * ratio,
          longCacheWrite != null ? longCacheWrite : cacheWrite * ratio);
    }

    private void reportDuplicates(List<ModelPrice> entries) {
      Map<String, ModelPrice> seen = new LinkedHashMap<>();
      for (ModelPrice entry : entries) {
        String key =
            entry.model().toLowerCase(Locale.ROOT)
                + "\u0000"
                + (entry.format() == null ? "" : entry.format().configName());
        ModelPrice earlier = seen.putIfAbsent(key, entry);
        if (earlier != null) {
          problems.add(
              Map.entry(
                  line(entry.origin()),
                  entry.origin()
                      + ": model "
                      + quote(entry.model())
                      + (entry.format() == null
                          ? ""
                          : " with format " + entry.format().configName())
                      + " is never used: the entry at "
                      + earlier.origin()
                      + " matches the same models first"));
        }
      }
    }

    private Double requiredPrice(
        Map<String, NodeTuple> keys, String key, Node owner, String where) {
      NodeTuple tuple = keys.get(key);
      if (tuple == null) {
        problem(owner, where, key + ": is missing (USD per 1 million tokens)");
        return null;
      }
      return price(tuple.getValueNode(), where + key + ": ");
    }

    private Double optionalPrice(Map<String, NodeTuple> keys, String key, String where) {
      NodeTuple tuple = keys.get(key);
      return tuple == null ? null : price(tuple.getValueNode(), where + key + ": ");
    }

    /** A price: a finite decimal number, zero or more. */
    private Double price(Node node, String where) {
      BigDecimal value = decimal(node, where, "a price in USD per 1 million tokens");
      if (value == null) {
        return null;
      }
      if (value.signum() < 0) {
        problem(node, where, "must not be negative, got " + ((ScalarNode) node).getValue());
        return null;
      }
      double d = value.doubleValue();
      if (Double.isInfinite(d)) {
        problem(node, where, "is too large, got " + ((ScalarNode) node).getValue());
        return null;
      }
      return d;
    }

    private Long tokens(Node node, String where) {
      BigDecimal value = decimal(node, where, "a whole number of tokens");
      if (value == null) {
        return null;
      }
      String text = ((ScalarNode) node).getValue();
      if (value.signum() < 0) {
        problem(node, where, "must not be negative, got " + text);
        return null;
      }
      BigInteger whole;
      try {
        whole = value.toBigIntegerExact();
      } catch (ArithmeticException e) {
        problem(node, where, "expected a whole number of tokens, got " + text);
        return null;
      }
      if (whole.bitLength() > 63) {
        problem(node, where, "is too large, got " + text);
        return null;
      }
      return whole.longValue();
    }

    private BigDecimal decimal(Node node, String where, String expected) {
      if (!(node instanceof ScalarNode scalar) || isNull(node) || Tag.BOOL.equals(node.getTag())) {
        problem(node, where, "expected " + expected + ", got " + describe(node));
        return null;
      }
      try {
        return new BigDecimal(scalar.getValue().replace("_", ""));
      } catch (NumberFormatException e) {
        problem(node, where, "expected " + expected + ", got " + describe(node));
        return null;
      }
    }

    private String glob(Node node, String where) {
      if (!(node instanceof ScalarNode scalar) || isNull(node)) {
        problem(node, where, "expected a glob such as \"gpt-4o*\", got " + describe(node));
        return null;
      }
      try {
        return Glob.of(scalar.getValue()).pattern();
      } catch (IllegalArgumentException e) {
        problem(node, where, quote(scalar.getValue()) + " is not a valid glob: " + e.getMessage());
        return null;
      }
    }

    private Format format(Node node, String where) {
      String valid =
          Arrays.stream(Format.values()).map(Format::configName).collect(Collectors.joining(", "));
      if (node instanceof ScalarNode scalar && !isNull(node)) {
        Format format = Format.parse(scalar.getValue()).orElse(null);
        if (format != null) {
          return format;
        }
      }
      problem(node, where, "expected one of " + valid + ", got " + describe(node));
      return null;
    }

    /** The entries of a mapping by key; reports non-name keys, unknown keys and duplicates. */
    private Map<String, NodeTuple> entries(MappingNode mapping, String where, List<String> valid) {
      return YamlNodes.entries(mapping, where, valid, this::problem);
    }

    private void problem(Node node, String where, String problem) {
      problems.add(Map.entry(line(node), origin(node) + ": " + where + problem));
    }

    private String origin(Node node) {
      return source + " line " + line(node);
    }

    private static int line(Node node) {
      return YamlNodes.line(node);
    }

    /** The line of an origin this parse wrote ({@code <source> line <n>}). */
    private int line(String origin) {
      return Integer.parseInt(origin.substring(source.length() + " line ".length()));
    }
  }

  private static boolean isNull(Node node) {
    return YamlNodes.isNull(node);
  }

  private static String describe(Node node) {
    return YamlNodes.describe(node);
  }

  static String quote(String value) {
    return Quoted.of(value);
  }
}
