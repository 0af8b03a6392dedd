package ai.numio.lmgate.standalone;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The arithmetic of {@code lmgate report}: totals of usage records (SPEC §5) per owner, provider
 * and model. Fed one line at a time, it keeps only the totals, so its memory grows with the number
 * of distinct (owner, provider, model) combinations, never with the number of records.
 *
 * <p>A line is a record when it is a JSON object whose fields the report reads have their SPEC §5
 * types: {@code timestamp} an ISO-8601 instant string; {@code owner}, {@code provider}, {@code
 * model} and {@code error_type} strings; {@code input_tokens}, {@code output_tokens}, {@code
 * cache_read_tokens} and {@code reasoning_tokens} non-negative integers. Any of them may be null or
 * absent (a null token count adds nothing). Every other line is malformed and counted, except a
 * blank one, which is skipped. Not thread-safe.
 */
final class UsageReport {

  /** What became of one line. */
  enum LineResult {
    RECORD,
    BLANK,
    MALFORMED
  }

  /** Totals of a group of records; token counts a record did not report add nothing. */
  record Counts(
      long requests,
      long errors,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long reasoningTokens) {}

  /** Totals of one (owner, provider, model); a null component was null or absent in the records. */
  record Row(String owner, String provider, String model, Counts counts) {}

  /** Totals of one owner over all providers and models. */
  record OwnerTotal(String owner, Counts counts) {}

  /**
   * Everything the report shows.
   *
   * @param rows per (owner, provider, model), sorted by owner, provider, model, nulls first
   * @param owners per owner, sorted by owner, nulls first
   * @param total all records
   * @param records lines that were records
   * @param malformedLines lines that were neither records nor blank
   * @param firstTimestamp the earliest record timestamp, or null if no record had one
   * @param lastTimestamp the latest record timestamp, or null if no record had one
   */
  record Summary(
      List<Row> rows,
      List<OwnerTotal> owners,
      Counts total,
      long records,
      long malformedLines,
      Instant firstTimestamp,
      Instant lastTimestamp) {}

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final Comparator<String> NULLS_FIRST =
      Comparator.nullsFirst(Comparator.naturalOrder());

  private static final Comparator<Key> KEY_ORDER =
      Comparator.comparing(Key::owner, NULLS_FIRST)
          .thenComparing(Key::provider, NULLS_FIRST)
          .thenComparing(Key::model, NULLS_FIRST);

  private final Map<Key, Tally> groups = new HashMap<>();
  private final Tally total = new Tally();
  private long records;
  private long malformedLines;
  private Instant firstTimestamp;
  private Instant lastTimestamp;

  /**
   * Adds one line of a stats file, given without its line terminator (a trailing {@code \r} is
   * tolerated as whitespace).
   */
  LineResult addLine(byte[] bytes, int offset, int length) {
    if (isBlank(bytes, offset, length)) {
      return LineResult.BLANK;
    }
    Entry entry;
    try {
      entry = Entry.of(JSON.readTree(bytes, offset, length));
    } catch (IOException | InvalidRecord e) {
      entry = null;
    }
    if (entry == null || !total.canAdd(entry)) {
      malformedLines++;
      return LineResult.MALFORMED;
    }
    groups
        .computeIfAbsent(new Key(entry.owner, entry.provider, entry.model), k -> new Tally())
        .add(entry);
    total.add(entry);
    records++;
    if (entry.timestamp != null) {
      if (firstTimestamp == null || entry.timestamp.isBefore(firstTimestamp)) {
        firstTimestamp = entry.timestamp;
      }
      if (lastTimestamp == null || entry.timestamp.isAfter(lastTimestamp)) {
        lastTimestamp = entry.timestamp;
      }
    }
    return LineResult.RECORD;
  }

  /** Counts a line that could not even be read as one (longer than the reader's limit). */
  void addMalformedLine() {
    malformedLines++;
  }

  /** The totals so far. */
  Summary summary() {
    List<Key> keys = new ArrayList<>(groups.keySet());
    keys.sort(KEY_ORDER);
    List<Row> rows = new ArrayList<>(keys.size());
    Map<String, Tally> owners = new TreeMap<>(NULLS_FIRST);
    for (Key key : keys) {
      Tally tally = groups.get(key);
      rows.add(new Row(key.owner, key.provider, key.model, tally.counts()));
      owners.computeIfAbsent(key.owner, o -> new Tally()).add(tally);
    }
    List<OwnerTotal> ownerTotals = new ArrayList<>(owners.size());
    owners.forEach((owner, tally) -> ownerTotals.add(new OwnerTotal(owner, tally.counts())));
    return new Summary(
        List.copyOf(rows),
        List.copyOf(ownerTotals),
        total.counts(),
        records,
        malformedLines,
        firstTimestamp,
        lastTimestamp);
  }

  private static boolean isBlank(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private record Key(String owner, String provider, String model) {}

  /** A field of the wrong type: the line is not a record. */
  private static final class InvalidRecord extends Exception {
    private static final long serialVersionUID = 1L;
    static final InvalidRecord INSTANCE = new InvalidRecord();

    private InvalidRecord() {
      super("not a usage record", null, false, false);
    }
  }

  /** The fields of one record that the report reads. */
  private static final class Entry {
    Instant timestamp;
    String owner;
    String provider;
    String model;
    boolean error;
    long inputTokens;
    long outputTokens;
    long cacheReadTokens;
    long reasoningTokens;

    static Entry of(JsonNode node) throws InvalidRecord {
      if (node == null || !node.isObject()) {
        throw InvalidRecord.INSTANCE;
      }
      Entry e = new Entry();
      String timestamp = text(node, "timestamp");
      if (timestamp != null) {
        try {
          e.timestamp = Instant.parse(timestamp);
        } catch (DateTimeParseException bad) {
          throw InvalidRecord.INSTANCE;
        }
      }
      e.owner = text(node, "owner");
      e.provider = text(node, "provider");
      e.model = text(node, "model");
      e.error = text(node, "error_type") != null;
      e.inputTokens = count(node, "input_tokens");
      e.outputTokens = count(node, "output_tokens");
      e.cacheReadTokens = count(node, "cache_read_tokens");
      e.reasoningTokens = count(node, "reasoning_tokens");
      return e;
    }

    private static String text(JsonNode record, String field) throws InvalidRecord {
      JsonNode value = record.get(field);
      if (value == null || value.isNull()) {
        return null;
      }
      if (!value.isTextual()) {
        throw InvalidRecord.INSTANCE;
      }
      return value.textValue();
    }

    private static long count(JsonNode record, String field) throws InvalidRecord {
      JsonNode value = record.get(field);
      if (value == null || value.isNull()) {
        return 0;
      }
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
        throw InvalidRecord.INSTANCE;
      }
      return value.longValue();
    }
  }

  /** Running totals of a group. */
  private static final class Tally {
    long requests;
    long errors;
    long inputTokens;
    long outputTokens;
    long cacheReadTokens;
    long reasoningTokens;

    /**
     * False if adding the entry would overflow a total. Every group's totals are at most the grand
     * total's (all values are non-negative), so checking the grand total guards them all.
     */
    boolean canAdd(Entry e) {
      return inputTokens <= Long.MAX_VALUE - e.inputTokens
          && outputTokens <= Long.MAX_VALUE - e.outputTokens
          && cacheReadTokens <= Long.MAX_VALUE - e.cacheReadTokens
          && reasoningTokens <= Long.MAX_VALUE - e.reasoningTokens;
    }

    void add(Entry e) {
      requests++;
      if (e.error) {
        errors++;
      }
      inputTokens += e.inputTokens;
      outputTokens += e.outputTokens;
      cacheReadTokens += e.cacheReadTokens;
      reasoningTokens += e.reasoningTokens;
    }

    void add(Tally t) {
      requests += t.requests;
      errors += t.errors;
      inputTokens += t.inputTokens;
      outputTokens += t.outputTokens;
      cacheReadTokens += t.cacheReadTokens;
      reasoningTokens += t.reasoningTokens;
    }

    Counts counts() {
      return new Counts(
          requests, errors, inputTokens, outputTokens, cacheReadTokens, reasoningTokens);
    }
  }
}
