package ai.numio.lmgate.standalone;

import ai.numio.lmgate.standalone.UsageReport.Counts;
import ai.numio.lmgate.standalone.UsageReport.OwnerTotal;
import ai.numio.lmgate.standalone.UsageReport.Row;
import ai.numio.lmgate.standalone.UsageReport.Summary;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How {@code lmgate report} prints its result: a text table or one JSON document. */
enum ReportFormat {
  TEXT("text") {
    @Override
    void print(Result result, PrintStream out) {
      TextTable.print(result, out);
    }
  },
  JSON("json") {
    @Override
    void print(Result result, PrintStream out) {
      out.print(JsonDocument.of(result));
      out.print('\n');
    }
  };

  /** Where the first malformed line is: a file as the report names it, and a 1-based line. */
  record Location(String file, long line) {}

  /**
   * What one report run found.
   *
   * @param files the files read, in order, as named to the operator
   * @param summary the totals
   * @param firstMalformed the first malformed line, or null if there was none
   */
  record Result(List<String> files, Summary summary, Location firstMalformed) {}

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final String optionValue;

  ReportFormat(String optionValue) {
    this.optionValue = optionValue;
  }

  /** The value of {@code --format} that selects this format. */
  String optionValue() {
    return optionValue;
  }

  /** The format {@code --format value} names, or null. */
  static ReportFormat forOption(String value) {
    for (ReportFormat f : values()) {
      if (f.optionValue.equals(value)) {
        return f;
      }
    }
    return null;
  }

  abstract void print(Result result, PrintStream out);

  private static String timestamp(Instant t) {
    return t == null ? null : TIMESTAMP.format(t);
  }

  /** The plain-text table: rows, per-owner totals, grand total, then the counts. */
  private static final class TextTable {

    private static final String[] HEADER = {
      "owner",
      "provider",
      "model",
      "requests",
      "errors",
      "input tokens",
      "output tokens",
      "cache read tokens",
      "reasoning tokens"
    };
    private static final int TEXT_COLUMNS = 3;
    private static final String NONE = "-";
    private static final String TOTAL = "(total)";
    private static final String ALL = "(all)";

    static void print(Result result, PrintStream out) {
      Summary s = result.summary();
      StringBuilder text = new StringBuilder();
      if (s.rows().isEmpty()) {
        text.append("No usage records.\n");
      } else {
        List<String[]> rows = new ArrayList<>();
        for (Row r : s.rows()) {
          rows.add(cells(shown(r.owner()), shown(r.provider()), shown(r.model()), r.counts()));
        }
        List<String[]> owners = new ArrayList<>();
        for (OwnerTotal o : s.owners()) {
          owners.add(cells(shown(o.owner()), TOTAL, "", o.counts()));
        }
        String[] grand = cells(ALL, TOTAL, "", s.total());
        int[] widths = widths(rows, owners, grand);
        String[] rule = new String[HEADER.length];
        for (int c = 0; c < rule.length; c++) {
          rule[c] = "-".repeat(widths[c]);
        }
        line(text, HEADER, widths);
        rows.forEach(r -> line(text, r, widths));
        line(text, rule, widths);
        owners.forEach(r -> line(text, r, widths));
        line(text, rule, widths);
        line(text, grand, widths);
      }
      text.append('\n');
      text.append("files read:      ").append(result.files().size()).append('\n');
      text.append("records:         ").append(s.records()).append('\n');
      text.append("malformed lines: ").append(s.malformedLines());
      Location first = result.firstMalformed();
      if (first != null) {
        text.append(" (first: ")
            .append(printable(first.file()))
            .append(" line ")
            .append(first.line())
            .append(')');
      }
      text.append('\n');
      text.append("time span:       ");
      if (s.firstTimestamp() == null) {
        text.append(NONE);
      } else {
        text.append(timestamp(s.firstTimestamp()))
            .append(" .. ")
            .append(timestamp(s.lastTimestamp()));
      }
      text.append('\n');
      out.print(text);
    }

    private static String[] cells(String owner, String provider, String model, Counts c) {
      return new String[] {
        owner,
        provider,
        model,
        Long.toString(c.requests()),
        Long.toString(c.errors()),
        Long.toString(c.inputTokens()),
        Long.toString(c.outputTokens()),
        Long.toString(c.cacheReadTokens()),
        Long.toString(c.reasoningTokens())
      };
    }

    private static int[] widths(List<String[]> rows, List<String[]> owners, String[] grand) {
      int[] widths = new int[HEADER.length];
      List<String[]> all = new ArrayList<>(rows);
      all.addAll(owners);
      all.add(grand);
      all.add(HEADER);
      for (String[] cells : all) {
        for (int c = 0; c < cells.length; c++) {
          widths[c] = Math.max(widths[c], cells[c].length());
        }
      }
      return widths;
    }

    /** Text columns left-aligned, numbers right-aligned, two spaces apart; no trailing spaces. */
    private static void line(StringBuilder text, String[] cells, int[] widths) {
      for (int c = 0; c < cells.length; c++) {
        if (c > 0) {
          text.append("  ");
        }
        String pad = " ".repeat(widths[c] - cells[c].length());
        if (c < TEXT_COLUMNS) {
          text.append(cells[c]).append(pad);
        } else {
          text.append(pad).append(cells[c]);
        }
      }
      text.append('\n');
    }

    private static String shown(String value) {
      return value == null ? NONE : printable(value);
    }

    /**
     * The value with control characters written as {@code \}{@code uXXXX}: a model name comes from
     * a provider's response and must not drive the operator's terminal.
     */
    private static String printable(String value) {
      StringBuilder b = null;
      for (int i = 0; i < value.length(); i++) {
        char ch = value.charAt(i);
        if (Character.isISOControl(ch)) {
          if (b == null) {
            b = new StringBuilder(value.length() + 8).append(value, 0, i);
          }
          b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
        } else if (b != null) {
          b.append(ch);
        }
      }
      return b == null ? value : b.toString();
    }
  }

  /** One JSON document with the same aggregates as the table; non-ASCII is escaped. */
  private static final class JsonDocument {

    private static final ObjectMapper MAPPER =
        JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    static String of(Result result) {
      Summary s = result.summary();
      ObjectNode doc = MAPPER.createObjectNode();
      ArrayNode files = doc.putArray("files");
      result.files().forEach(files::add);
      doc.put("records", s.records());
      doc.put("malformed_lines", s.malformedLines());
      Location first = result.firstMalformed();
      if (first == null) {
        doc.putNull("first_malformed");
      } else {
        doc.putObject("first_malformed").put("file", first.file()).put("line", first.line());
      }
      doc.put("first_timestamp", timestamp(s.firstTimestamp()));
      doc.put("last_timestamp", timestamp(s.lastTimestamp()));
      ArrayNode rows = doc.putArray("rows");
      for (Row r : s.rows()) {
        ObjectNode row = rows.addObject();
        row.put("owner", r.owner()).put("provider", r.provider()).put("model", r.model());
        counts(row, r.counts());
      }
      ArrayNode owners = doc.putArray("owners");
      for (OwnerTotal o : s.owners()) {
        counts(owners.addObject().put("owner", o.owner()), o.counts());
      }
      counts(doc.putObject("total"), s.total());
      try {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static void counts(ObjectNode node, Counts c) {
      node.put("requests", c.requests())
          .put("errors", c.errors())
          .put("input_tokens", c.inputTokens())
          .put("output_tokens", c.outputTokens())
          .put("cache_read_tokens", c.cacheReadTokens())
          .put("reasoning_tokens", c.reasoningTokens());
    }
  }
}
