package ai.numio.lmgate.fuzz;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.config.ConfigException;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes {@link ConfigLoader#load}: a YAML file of fuzzed bytes plus fuzzed {@code LMGATE_*}
 * variables yield a configuration or a {@link ConfigException}, nothing else; its problems never
 * carry a stack trace or an exception's class name; and loading is deterministic.
 *
 * <p>Input: the last byte (mod 5) is the number of environment variables; each takes one byte from
 * the end for its name and a string from the front for its value; the remaining bytes are the file.
 * A seed is therefore a YAML file with a zero byte appended.
 */
class ConfigLoaderFuzzTest {

  private static final List<String> VARIABLES =
      List.of(
          "LMGATE_SERVER__PORT",
          "LMGATE_SERVER__HOST",
          "LMGATE_SERVER__SHUTDOWN_GRACE_SECONDS",
          "LMGATE_AUTH__ALLOWLIST_PATH",
          "LMGATE_AUTH__POLL_INTERVAL_SECONDS",
          "LMGATE_STATS__OUTPUT_PATH",
          "LMGATE_STATS__MAX_FILE_BYTES",
          "LMGATE_STATS__MAX_EVENT_BYTES",
          "LMGATE_STATS__QUEUE_CAPACITY",
          "LMGATE_UPSTREAM__FORWARDED_HEADERS",
          "LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS",
          "LMGATE_LOGGING__LEVEL",
          "LMGATE_PROVIDERS__OPENAI__UPSTREAM",
          "LMGATE_PROVIDERS__OPENAI__ENABLED",
          "LMGATE_PROVIDERS__GROQ__UPSTREAM",
          "LMGATE_PROVIDERS__GROQ__FORMAT",
          "LMGATE_PROVIDERS__GROQ__PREFIX",
          "LMGATE_PROVIDERS__BAD-NAME__UPSTREAM",
          "LMGATE_SERVER__NO_SUCH_KEY",
          "LMGATE_CONFIG",
          "LMGATE_PORT");

  /** A line of a stack trace, or a Java exception named by its class. */
  private static final Pattern STACK_TRACE =
      Pattern.compile(
          "(?m)^\\s*at [\\w$.]+\\(.*\\)\\s*$|Caused by:|\\b(?:java|javax|org|com)\\.[\\w.$]+"
              + "(?:Exception|Error)\\b");

  private static final Path WORKING_DIR;

  static {
    try {
      WORKING_DIR = Files.createTempDirectory("lmgate-config-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  @DictionaryEntries({
    "server:",
    "auth:",
    "stats:",
    "upstream:",
    "logging:",
    "providers:",
    "host:",
    "port:",
    "allowlist_path:",
    "output_path:",
    "max_event_bytes:",
    "format:",
    "prefix:",
    "enabled:",
    "openai",
    "anthropic",
    "google",
    "http://",
    "https://",
    "&a",
    "*a",
    "<<:",
    "!!binary",
    "- "
  })
  void loaderYieldsAConfigOrExplainsWithoutAStackTrace(FuzzedDataProvider data) throws IOException {
    int variables = data.consumeInt(0, 4);
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < variables; i++) {
      String name = VARIABLES.get(data.consumeInt(0, VARIABLES.size() - 1));
      env.put(name, data.consumeString(40));
    }
    Path file = WORKING_DIR.resolve("lmgate.yaml");
    byte[] yaml = data.consumeRemainingAsBytes();
    Files.write(file, yaml);
    String input = new String(yaml, ISO_8859_1) + "\n" + new String(yaml, UTF_8) + env;

    Object first = load(file, env);
    Object second = load(file, env);
    assertThat(second).as("loading the same file and environment again").isEqualTo(first);
    if (first instanceof List<?> problems) {
      assertThat(problems).isNotEmpty();
      for (Object problem : problems) {
        assertThat(problem.toString()).isNotBlank();
        Matcher match = STACK_TRACE.matcher(problem.toString());
        while (match.find()) {
          // an echoed value may look like one; only text the input did not contain counts
          assertThat(input)
              .as("a problem carries a stack trace or exception class:%n%s", problem)
              .contains(match.group().strip());
        }
      }
    }
  }

  /** The configuration, or the problems of the ConfigException; anything else escapes. */
  private static Object load(Path file, Map<String, String> env) {
    try {
      LMGateConfig config = ConfigLoader.load(Optional.of(file), env, WORKING_DIR);
      assertThat(config).isNotNull();
      return config;
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
      return e.problems();
    }
  }
}
