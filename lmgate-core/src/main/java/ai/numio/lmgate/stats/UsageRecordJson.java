package ai.numio.lmgate.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes usage records as JSON lines (SPEC §5): every field always present, in the spec's order,
 * nulls as JSON null. One instance per writing thread; it reuses its generator and buffers.
 */
final class UsageRecordJson {

  private static final JsonFactory FACTORY =
      new JsonFactoryBuilder().rootValueSeparator((String) null).build();

  private static final SerializableString TIMESTAMP = new SerializedString("timestamp");
  private static final SerializableString LMGATE_ID = new SerializedString("lmgate_id");
  private static final SerializableString PROVIDER = new SerializedString("provider");
  private static final SerializableString ENDPOINT = new SerializedString("endpoint");
  private static final SerializableString MODEL = new SerializedString("model");
  private static final SerializableString STATUS = new SerializedString("status");
  private static final SerializableString INPUT_TOKENS = new SerializedString("input_tokens");
  private static final SerializableString OUTPUT_TOKENS = new SerializedString("output_tokens");
  private static final SerializableString MASKED_KEY = new SerializedString("masked_key");
  private static final SerializableString ERROR_TYPE = new SerializedString("error_type");
  private static final SerializableString OWNER = new SerializedString("owner");
  private static final SerializableString METHOD = new SerializedString("method");
  private static final SerializableString STREAM = new SerializedString("stream");
  private static final SerializableString DURATION_MS = new SerializedString("duration_ms");
  private static final SerializableString TTFB_MS = new SerializedString("ttfb_ms");
  private static final SerializableString CACHE_READ_TOKENS =
      new SerializedString("cache_read_tokens");
  private static final SerializableString CACHE_WRITE_TOKENS =
      new SerializedString("cache_write_tokens");
  private static final SerializableString REASONING_TOKENS =
      new SerializedString("reasoning_tokens");
  private static final SerializableString UPSTREAM_REQUEST_ID =
      new SerializedString("upstream_request_id");
  private static final SerializableString COST_USD = new SerializedString("cost_usd");

  /** For years outside 0000–9999, which the fast path does not handle. */
  private static final DateTimeFormatter WIDE_TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final int TIMESTAMP_LENGTH = 24; // 2026-02-16T12:00:00.000Z

  private final JsonGenerator generator;
  private final char[] timestamp = new char[TIMESTAMP_LENGTH];
  private long cachedEpochDay = Long.MIN_VALUE;

  /** Writes to {@code out}; bytes reach it on {@link #flush()}. */
  UsageRecordJson(OutputStream out) {
    try {
      this.generator = FACTORY.createGenerator(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    timestamp[10] = 'T';
    timestamp[13] = ':';
    timestamp[16] = ':';
    timestamp[19] = '.';
    timestamp[23] = 'Z';
  }

  /** The JSON line of one record, newline included; convenient, not fast. */
  static String line(UsageRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    UsageRecordJson json = new UsageRecordJson(out);
    try {
      json.write(record);
      json.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Appends one record as a JSON object followed by {@code \n}. */
  void write(UsageRecord r) throws IOException {
    JsonGenerator g = generator;
    g.writeStartObject();
    g.writeFieldName(TIMESTAMP);
    writeTimestamp(r.timestamp());
    g.writeFieldName(LMGATE_ID);
    writeString(r.lmgateId());
    g.writeFieldName(PROVIDER);
    writeString(r.provider());
    g.writeFieldName(ENDPOINT);
    writeString(r.endpoint());
    g.writeFieldName(MODEL);
    writeString(r.model());
    g.writeFieldName(STATUS);
    g.writeNumber(r.status());
    g.writeFieldName(INPUT_TOKENS);
    writeNumber(r.inputTokens());
    g.writeFieldName(OUTPUT_TOKENS);
    writeNumber(r.outputTokens());
    g.writeFieldName(MASKED_KEY);
    writeString(r.maskedKey());
    g.writeFieldName(ERROR_TYPE);
    writeString(r.errorType());
    g.writeFieldName(OWNER);
    writeString(r.owner());
    g.writeFieldName(METHOD);
    writeString(r.method());
    g.writeFieldName(STREAM);
    g.writeBoolean(r.stream());
    g.writeFieldName(DURATION_MS);
    g.writeNumber(r.durationMs());
    g.writeFieldName(TTFB_MS);
    writeNumber(r.ttfbMs());
    g.writeFieldName(CACHE_READ_TOKENS);
    writeNumber(r.cacheReadTokens());
    g.writeFieldName(CACHE_WRITE_TOKENS);
    writeNumber(r.cacheWriteTokens());
    g.writeFieldName(REASONING_TOKENS);
    writeNumber(r.reasoningTokens());
    g.writeFieldName(UPSTREAM_REQUEST_ID);
    writeString(r.upstreamRequestId());
    g.writeFieldName(COST_USD);
    writeCost(r.costUsd());
    g.writeEndObject();
    g.writeRaw('\n');
  }

  /** Pushes everything written so far to the output stream. */
  void flush() throws IOException {
    generator.flush();
  }

  private void writeString(String value) throws IOException {
    if (value == null) {
      generator.writeNull();
    } else {
      generator.writeString(value);
    }
  }

  private void writeNumber(Long value) throws IOException {
    if (value == null) {
      generator.writeNull();
    } else {
      generator.writeNumber(value.longValue());
    }
  }

  /**
   * A cost as a plain JSON number with every digit of the double ({@code 0.000123}, not {@code
   * 1.23E-4}: the same value, easier on the eye and on tools that read numbers as text); null when
   * unknown or not finite.
   */
  private void writeCost(Double value) throws IOException {
    if (value == null || !Double.isFinite(value)) {
      generator.writeNull();
    } else {
      generator.writeNumber(BigDecimal.valueOf(value).toPlainString());
    }
  }

  /** ISO-8601 UTC with exactly three millisecond digits ({@code Instant.toString} drops them). */
  private void writeTimestamp(Instant t) throws IOException {
    if (t == null) {
      generator.writeNull();
      return;
    }
    long seconds = t.getEpochSecond();
    long epochDay = Math.floorDiv(seconds, 86_400L);
    if (epochDay != cachedEpochDay) {
      LocalDate date = LocalDate.ofEpochDay(epochDay);
      if (date.getYear() < 0 || date.getYear() > 9999) {
        generator.writeString(WIDE_TIMESTAMP.format(t));
        return;
      }
      digits(date.getYear(), 0, 4);
      timestamp[4] = '-';
      digits(date.getMonthValue(), 5, 2);
      timestamp[7] = '-';
      digits(date.getDayOfMonth(), 8, 2);
      cachedEpochDay = epochDay;
    }
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    digits(secondOfDay / 3600, 11, 2);
    digits(secondOfDay / 60 % 60, 14, 2);
    digits(secondOfDay % 60, 17, 2);
    digits(t.getNano() / 1_000_000, 20, 3);
    generator.writeString(timestamp, 0, TIMESTAMP_LENGTH);
  }

  private void digits(int value, int offset, int width) {
    for (int i = offset + width - 1; i >= offset; i--) {
      timestamp[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
