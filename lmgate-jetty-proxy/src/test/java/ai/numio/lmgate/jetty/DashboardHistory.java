package ai.numio.lmgate.jetty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Stats files as a gateway that ran before would have left them, for the dashboard's tests: the
 * live file, a rotated one, and one rotated over 31 days ago (not read). What they imply:
 *
 * <pre>
 * range  requests errors refusals input  output cost (USD)
 * hour   4        1      1        3,000  700    0.018    (A B C D)
 * day    5        1      1        7,000  1,700  0.033    (+ E, 3 h ago)
 * month  6        1      1        17,000 3,700  0.078    (+ F, 10 days ago)
 * </pre>
 *
 * plus one malformed line. G, 40 days old, is in a file rotated 40 days ago.
 */
final class DashboardHistory {

  static final String TOKEN = "dashboard-token-0123456789abcdef";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private DashboardHistory() {}

  /** Writes the files beside {@code stats} (the gateway's {@code stats.output_path}). */
  static void write(Path stats, Instant now) throws IOException {
    Files.createDirectories(stats.getParent());
    Instant t = now.truncatedTo(ChronoUnit.SECONDS);
    Files.writeString(
        stats.resolveSibling(
            stats.getFileName() + "." + STAMP.format(now.minus(Duration.ofDays(40)))),
        line(
            t.minus(Duration.ofDays(40)),
            "team-alpha",
            "openai",
            "gpt-4o",
            200,
            99_000L,
            9_000L,
            null,
            1.5,
            900,
            300L));
    Files.writeString(
        stats.resolveSibling(
            stats.getFileName() + "." + STAMP.format(now.minus(Duration.ofHours(1)))),
        line(
                t.minus(Duration.ofDays(10)),
                "team-alpha",
                "openai",
                "gpt-4o",
                200,
                10_000L,
                2_000L,
                null,
                0.045,
                2000,
                500L)
            + line(
                t.minus(Duration.ofHours(3)),
                "team-gamma",
                "google",
                "gemini-2.5-pro",
                200,
                4_000L,
                1_000L,
                null,
                0.015,
                2500,
                700L));
    Files.writeString(
        stats,
        line(
                t.minusSeconds(300),
                "team-alpha",
                "openai",
                "gpt-4o",
                200,
                1_000L,
                200L,
                null,
                0.0045,
                800,
                300L)
            + line(
                t.minusSeconds(240),
                "team-beta",
                "anthropic",
                "claude-sonnet-4",
                200,
                2_000L,
                500L,
                null,
                0.0135,
                1500,
                400L)
            + line(
                t.minusSeconds(180),
                "team-alpha",
                "openai",
                "gpt-4o",
                429,
                null,
                null,
                "rate_limited",
                null,
                2,
                null)
            + "this line is not a record\n"
            + line(
                t.minusSeconds(120),
                "team-beta",
                "openai",
                "gpt-4o",
                504,
                null,
                null,
                "upstream_timeout",
                null,
                30_000,
                null));
  }

  @SuppressWarnings("ParameterNumber")
  static String line(
      Instant at,
      String owner,
      String route,
      String model,
      int status,
      Long input,
      Long output,
      String errorType,
      Double cost,
      long durationMs,
      Long ttfbMs) {
    return String.format(
        Locale.ROOT,
        "{\"timestamp\":\"%s\",\"lmgate_id\":\"1\",\"provider\":\"%s\",\"endpoint\":\"/%s/v1/x\","
            + "\"model\":\"%s\",\"status\":%d,\"input_tokens\":%s,\"output_tokens\":%s,"
            + "\"masked_key\":\"XYZ123\",\"error_type\":%s,\"owner\":\"%s\",\"method\":\"POST\","
            + "\"stream\":false,\"duration_ms\":%d,\"ttfb_ms\":%s,\"cache_read_tokens\":null,"
            + "\"cache_write_tokens\":null,\"reasoning_tokens\":null,\"upstream_request_id\":null,"
            + "\"cost_usd\":%s}\n",
        DateTimeFormatter.ISO_INSTANT.format(at.plusMillis(123)),
        route,
        route,
        model,
        status,
        input,
        output,
        errorType == null ? "null" : "\"" + errorType + "\"",
        owner,
        durationMs,
        ttfbMs,
        cost == null ? "null" : java.math.BigDecimal.valueOf(cost).toPlainString());
  }
}
