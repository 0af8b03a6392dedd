package ai.numio.lmgate.policy;

import ai.numio.lmgate.cost.Glob;
import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.text.Quoted;
import ai.numio.lmgate.text.YamlNodes;
import ai.numio.lmgate.text.YamlText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the policy file of SPEC-2 §14 into {@link Policies}: UTF-8 YAML with the top-level keys of
 * {@link #TOP_KEYS}; a rule has the keys of {@link #RULE_KEYS}; a budget is a mapping with {@code
 * usd} or {@code tokens} and {@code per} (or a list of such mappings, one per unit and period).
 * Every problem is collected and reported together, each naming file and line. A route name no
 * configured route has is logged as a WARN (it allows nothing), not refused: routes are configured
 * elsewhere and may come later.
 */
public final class PolicyLoader {

  private static final Logger log = LoggerFactory.getLogger(PolicyLoader.class);

  static final List<String> TOP_KEYS = List.of("default", "owners", "keys");
  static final List<String> RULE_KEYS =
      List.of("models", "routes", "rpm", "tpm", "budget", "expires");
  static final List<String> BUDGET_KEYS = List.of("usd", "tokens", "per");

  /** The largest rate a rule may set; far beyond any real traffic. */
  static final long MAX_RATE = 1_000_000_000_000L;

  private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

  private PolicyLoader() {}

  /**
   * Validates the file's bytes (UTF-8).
   *
   * @param source the file as the operator named it, used in every message
   * @param routeNames the configured routes, to warn about a route name none has; empty to skip
   * @throws PolicyException naming every problem
   */
  public static Policies parse(byte[] content, String source, Set<String> routeNames) {
    try {
      return new Parse(source, routeNames).run(YamlText.parse(content, source));
    } catch (YamlText.Unusable e) {
      throw new PolicyException(e.getMessage());
    }
  }

  /** As {@link #parse(byte[], String, Set)}, from YAML text. */
  public static Policies parse(String yaml, String source, Set<String> routeNames) {
    try {
      return new Parse(source, routeNames).run(YamlText.parse(yaml, source));
    } catch (YamlText.Unusable e) {
      throw new PolicyException(e.getMessage());
    }
  }

  /** One validation run, collecting every problem. */
  private static final class Parse {
    private final String source;
    private final Set<String> routeNames;
    private final List<Map.Entry<Integer, String>> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    Parse(String source, Set<String> routeNames) {
      this.source = source;
      this.routeNames = routeNames;
    }

    Policies run(Node root) {
      PolicyRule defaults = PolicyRule.EMPTY;
      Map<String, PolicyRule> owners = new LinkedHashMap<>();
      Map<String, PolicyRule> keys = new LinkedHashMap<>();
      if (root != null && !isNull(root)) {
        if (!(root instanceof MappingNode mapping)) {
          problem(
              root,
              "",
              "expected a mapping with the keys "
                  + String.join(", ", TOP_KEYS)
                  + ", got "
                  + describe(root));
        } else {
          Map<String, NodeTuple> top = entries(mapping, "", TOP_KEYS);
          NodeTuple d = top.get("default");
          if (d != null) {
            PolicyRule rule = rule(d.getValueNode(), "default: ");
            defaults = rule == null ? PolicyRule.EMPTY : rule;
          }
          rules(top.get("owners"), "owners", owners);
          rules(top.get("keys"), "keys", keys);
        }
      }
      if (!problems.isEmpty()) {
        throw new PolicyException(
            problems.stream()
                .sorted(Comparator.comparing(Map.Entry::getKey))
                .map(Map.Entry::getValue)
                .toList());
      }
      for (String warning : warnings) {
        log.warn("{}", warning);
      }
      return new Policies(defaults, owners, keys, source);
    }

    private void rules(NodeTuple tuple, String section, Map<String, PolicyRule> into) {
      if (tuple == null || isNull(tuple.getValueNode())) {
        return;
      }
      if (!(tuple.getValueNode() instanceof MappingNode mapping)) {
        problem(
            tuple.getValueNode(),
            section + ": ",
            "expected a mapping of "
                + ("owners".equals(section) ? "owner names" : "allow-list ids")
                + " to rules, got "
                + describe(tuple.getValueNode()));
        return;
      }
      Map<String, Node> seen = new LinkedHashMap<>();
      for (NodeTuple entry : mapping.getValue()) {
        Node keyNode = entry.getKeyNode();
        if (!(keyNode instanceof ScalarNode scalar) || isNull(keyNode)) {
          problem(
              keyNode, section + ": ", "a name must be a plain value, got " + describe(keyNode));
          continue;
        }
        String name = scalar.getValue();
        if (name.isBlank()) {
          problem(keyNode, section + ": ", "a name must not be empty");
          continue;
        }
        Node earlier = seen.putIfAbsent(name, keyNode);
        if (earlier != null) {
          problem(
              keyNode,
              section + ": ",
              quote(name) + " given twice (also at line " + line(earlier) + ")");
          continue;
        }
        PolicyRule rule = rule(entry.getValueNode(), section + ": " + quote(name) + ": ");
        if (rule != null) {
          into.put(name, rule);
        }
      }
    }

    /** The rule, or null (with problems) when it is invalid. */
    private PolicyRule rule(Node node, String where) {
      if (isNull(node)) {
        return new PolicyRule(null, null, null, null, null, null, origin(node));
      }
      if (!(node instanceof MappingNode mapping)) {
        problem(
            node,
            where,
            "expected a rule (a mapping of "
                + String.join(", ", RULE_KEYS)
                + "), got "
                + describe(node));
        return null;
      }
      int before = problems.size();
      Map<String, NodeTuple> keys = entries(mapping, where, RULE_KEYS);
      List<Glob> models = present(keys, "models") ? models(value(keys, "models"), where) : null;
      Set<String> routes = present(keys, "routes") ? routes(value(keys, "routes"), where) : null;
      Long rpm = present(keys, "rpm") ? rate(value(keys, "rpm"), where + "rpm: ") : null;
      Long tpm = present(keys, "tpm") ? rate(value(keys, "tpm"), where + "tpm: ") : null;
      List<PolicyRule.BudgetRule> budgets =
          present(keys, "budget") ? budgets(value(keys, "budget"), where + "budget: ") : null;
      LocalDate expires =
          present(keys, "expires") ? date(value(keys, "expires"), where + "expires: ") : null;
      if (problems.size() > before) {
        return null;
      }
      return new PolicyRule(models, routes, rpm, tpm, budgets, expires, origin(node));
    }

    private List<Glob> models(Node node, String where) {
      String here = where + "models: ";
      if (!(node instanceof SequenceNode list)) {
        problem(
            node,
            here,
            "expected a list of model globs such as [\"gpt-4o*\"], got " + describe(node));
        return null;
      }
      List<Glob> globs = new ArrayList<>();
      for (Node item : list.getValue()) {
        if (!(item instanceof ScalarNode scalar) || isNull(item)) {
          problem(item, here, "expected a glob such as \"gpt-4o*\", got " + describe(item));
          continue;
        }
        try {
          globs.add(Glob.of(scalar.getValue()));
        } catch (IllegalArgumentException e) {
          problem(item, here, quote(scalar.getValue()) + " is not a valid glob: " + e.getMessage());
        }
      }
      return globs;
    }

    private Set<String> routes(Node node, String where) {
      String here = where + "routes: ";
      if (!(node instanceof SequenceNode list)) {
        problem(
            node, here, "expected a list of route names such as [openai], got " + describe(node));
        return null;
      }
      Set<String> names = new LinkedHashSet<>();
      for (Node item : list.getValue()) {
        if (!(item instanceof ScalarNode scalar) || isNull(item) || scalar.getValue().isBlank()) {
          problem(item, here, "expected a route name, got " + describe(item));
          continue;
        }
        String name = scalar.getValue().trim();
        names.add(name);
        if (!routeNames.isEmpty() && !routeNames.contains(name)) {
          warnings.add(
              origin(item)
                  + ": "
                  + here
                  + "no route is named "
                  + quote(name)
                  + " (routes: "
                  + String.join(", ", routeNames)
                  + "); it allows nothing");
        }
      }
      return names;
    }

    private Long rate(Node node, String where) {
      BigInteger whole = whole(node, where, "a whole number per minute");
      if (whole == null) {
        return null;
      }
      if (whole.signum() <= 0) {
        problem(node, where, "must be greater than 0, got " + text(node));
        return null;
      }
      if (whole.compareTo(BigInteger.valueOf(MAX_RATE)) > 0) {
        problem(node, where, "must be at most " + MAX_RATE + ", got " + text(node));
        return null;
      }
      return whole.longValue();
    }

    private List<PolicyRule.BudgetRule> budgets(Node node, String where) {
      List<Node> items = new ArrayList<>();
      if (node instanceof SequenceNode list) {
        items.addAll(list.getValue());
      } else {
        items.add(node);
      }
      List<PolicyRule.BudgetRule> budgets = new ArrayList<>();
      Map<String, Node> seen = new LinkedHashMap<>();
      for (Node item : items) {
        PolicyRule.BudgetRule budget = budget(item, where);
        if (budget == null) {
          continue;
        }
        String key = budget.unit() + "/" + budget.period();
        Node earlier = seen.putIfAbsent(key, item);
        if (earlier != null) {
          problem(
              item,
              where,
              "a second "
                  + budget.unit().name().toLowerCase(Locale.ROOT)
                  + " budget per "
                  + budget.period().name().toLowerCase(Locale.ROOT)
                  + " (the first is at line "
                  + line(earlier)
                  + ")");
          continue;
        }
        budgets.add(budget);
      }
      return budgets;
    }

    private PolicyRule.BudgetRule budget(Node node, String where) {
      if (!(node instanceof MappingNode mapping)) {
        problem(
            node,
            where,
            "expected { usd: <amount>, per: day|month } or { tokens: <amount>, per: day|month },"
                + " got "
                + describe(node));
        return null;
      }
      int before = problems.size();
      Map<String, NodeTuple> keys = entries(mapping, where, BUDGET_KEYS);
      boolean usd = keys.containsKey("usd");
      boolean tokens = keys.containsKey("tokens");
      Double amount = null;
      if (usd && tokens) {
        problem(
            node, where, "has both usd and tokens; give one (two budgets: a list of two mappings)");
      } else if (!usd && !tokens) {
        problem(node, where, "needs usd: (USD) or tokens: (input + output tokens)");
      } else if (usd) {
        amount = usdAmount(value(keys, "usd"), where + "usd: ");
      } else {
        BigInteger whole = whole(value(keys, "tokens"), where + "tokens: ", "a whole number");
        if (whole != null && whole.signum() <= 0) {
          problem(
              value(keys, "tokens"), where + "tokens: ", "must be greater than 0, got " + whole);
        } else if (whole != null && whole.bitLength() > 52) {
          problem(value(keys, "tokens"), where + "tokens: ", "is too large, got " + whole);
        } else if (whole != null) {
          amount = whole.doubleValue();
        }
      }
      Limit.Period period = null;
      if (!keys.containsKey("per")) {
        problem(node, where, "per: is missing (day or month, in UTC)");
      } else {
        Node per = value(keys, "per");
        String text = per instanceof ScalarNode s && !isNull(per) ? s.getValue().trim() : "";
        if (text.equalsIgnoreCase("day")) {
          period = Limit.Period.DAY;
        } else if (text.equalsIgnoreCase("month")) {
          period = Limit.Period.MONTH;
        } else {
          problem(per, where + "per: ", "expected day or month, got " + describe(per));
        }
      }
      if (problems.size() > before || amount == null || period == null) {
        return null;
      }
      return new PolicyRule.BudgetRule(usd ? Limit.Unit.USD : Limit.Unit.TOKENS, amount, period);
    }

    private Double usdAmount(Node node, String where) {
      if (!(node instanceof ScalarNode scalar) || isNull(node) || Tag.BOOL.equals(node.getTag())) {
        problem(node, where, "expected an amount in USD such as 50 or 12.5, got " + describe(node));
        return null;
      }
      BigDecimal value;
      try {
        value = new BigDecimal(scalar.getValue().replace("_", "").trim());
      } catch (NumberFormatException e) {
        problem(node, where, "expected an amount in USD such as 50 or 12.5, got " + describe(node));
        return null;
      }
      double d = value.doubleValue();
      if (value.signum() <= 0) {
        problem(node, where, "must be greater than 0, got " + scalar.getValue());
        return null;
      }
      if (Double.isInfinite(d)) {
        problem(node, where, "is too large, got " + scalar.getValue());
        return null;
      }
      return d;
    }

    private LocalDate date(Node node, String where) {
      String text = node instanceof ScalarNode s && !isNull(node) ? s.getValue().trim() : null;
      if (text != null && DATE.matcher(text).matches()) {
        try {
          return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
          problem(node, where, quote(text) + " is not a date of the calendar");
          return null;
        }
      }
      problem(
          node,
          where,
          "expected a date YYYY-MM-DD (the key is valid through the end of that day, UTC), got "
              + describe(node));
      return null;
    }

    private BigInteger whole(Node node, String where, String expected) {
      if (!(node instanceof ScalarNode scalar) || isNull(node) || Tag.BOOL.equals(node.getTag())) {
        problem(node, where, "expected " + expected + ", got " + describe(node));
        return null;
      }
      try {
        return new BigDecimal(scalar.getValue().replace("_", "").trim()).toBigIntegerExact();
      } catch (NumberFormatException | ArithmeticException e) {
        problem(node, where, "expected " + expected + ", got " + describe(node));
        return null;
      }
    }

    /** The entries of a mapping by key; reports non-name keys, unknown keys and duplicates. */
    private Map<String, NodeTuple> entries(MappingNode mapping, String where, List<String> valid) {
      return YamlNodes.entries(mapping, where, valid, this::problem);
    }

    private static boolean present(Map<String, NodeTuple> keys, String key) {
      return keys.containsKey(key);
    }

    private static Node value(Map<String, NodeTuple> keys, String key) {
      return keys.get(key).getValueNode();
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
  }

  private static boolean isNull(Node node) {
    return YamlNodes.isNull(node);
  }

  private static String text(Node node) {
    return node instanceof ScalarNode scalar ? scalar.getValue() : describe(node);
  }

  private static String describe(Node node) {
    return YamlNodes.describe(node);
  }

  private static String quote(String value) {
    return Quoted.of(value);
  }
}
