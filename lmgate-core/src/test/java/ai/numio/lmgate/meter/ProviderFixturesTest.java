package ai.numio.lmgate.meter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every provider fixture (real response shapes, see fixtures/README.md) metered whole, byte by
 * byte, in random chunks and gzip-compressed: always exactly the manifest's expected usage.
 */
class ProviderFixturesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Fixture(String file, String contentType, Usage expected) {
    @Override
    public String toString() {
      return file;
    }

    byte[] body() {
      try (InputStream in = ProviderFixturesTest.class.getResourceAsStream("/fixtures/" + file)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static List<Fixture> fixtures() throws IOException {
    List<Fixture> fixtures = new ArrayList<>();
    try (InputStream in =
        ProviderFixturesTest.class.getResourceAsStream("/fixtures/manifest.json")) {
      for (JsonNode entry : JSON.readTree(in)) {
        JsonNode e = entry.get("expect");
        Usage expected =
            new Usage(
                text(e, "model"),
                number(e, "input_tokens"),
                number(e, "output_tokens"),
                number(e, "cache_read_tokens"),
                number(e, "cache_write_tokens"),
                number(e, "reasoning_tokens"),
                text(e, "error_type"),
                e.get("stream").asBoolean());
        fixtures.add(
            new Fixture(entry.get("file").asText(), entry.get("content_type").asText(), expected));
      }
    }
    return fixtures;
  }

  static Stream<Arguments> fixturesAndChunkings() throws IOException {
    return fixtures().stream()
        .flatMap(f -> Stream.of(Chunking.values()).map(c -> Arguments.of(f, c)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fixturesAndChunkings")
  void meteredExactly(Fixture fixture, Chunking chunking) {
    UsageMeter meter = new UsageMeter(1 << 20);
    meter.onResponse(fixture.contentType(), null);
    chunking.feed(meter, fixture.body(), fixture.file().hashCode());
    assertThat(meter.finish()).isEqualTo(fixture.expected());
  }

  @ParameterizedTest(name = "{0} {1} gzip")
  @MethodSource("fixturesAndChunkings")
  void meteredExactlyWhenGzipped(Fixture fixture, Chunking chunking) throws IOException {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
      gzip.write(fixture.body());
    }
    UsageMeter meter = new UsageMeter(1 << 20);
    meter.onResponse(fixture.contentType(), "gzip");
    chunking.feed(meter, compressed.toByteArray(), fixture.file().hashCode());
    assertThat(meter.finish()).isEqualTo(fixture.expected());
  }

  @Test
  void everyFixtureFileIsInTheManifest() throws IOException, URISyntaxException {
    Path root = Path.of(ProviderFixturesTest.class.getResource("/fixtures").toURI());
    Set<String> listed = fixtures().stream().map(Fixture::file).collect(Collectors.toSet());
    try (Stream<Path> files = Files.walk(root)) {
      Set<String> present =
          files
              .filter(Files::isRegularFile)
              .map(p -> root.relativize(p).toString().replace('\\', '/'))
              .filter(name -> name.contains("/"))
              .collect(Collectors.toSet());
      assertThat(present).isEqualTo(listed);
    }
    assertThat(listed).hasSizeGreaterThanOrEqualTo(40);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asLong();
  }
}
