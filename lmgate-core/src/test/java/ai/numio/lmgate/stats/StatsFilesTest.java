package ai.numio.lmgate.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsFilesTest {

  @TempDir Path dir;

  private Path touch(String name) throws IOException {
    return Files.writeString(dir.resolve(name), "");
  }

  @Test
  void rotatedSiblingsOldestFirstThenTheLiveFile() throws IOException {
    Path live = touch("stats.jsonl");
    Path c10 = touch("stats.jsonl.20260216110000-10");
    Path c2 = touch("stats.jsonl.20260216110000-2");
    Path base = touch("stats.jsonl.20260216110000");
    Path older = touch("stats.jsonl.20251231235959");
    Path c1 = touch("stats.jsonl.20260216110000-1");
    Path newer = touch("stats.jsonl.20260301000000");

    assertThat(StatsFiles.inOrder(live)).containsExactly(older, base, c1, c2, c10, newer, live);
  }

  @Test
  void otherFilesAreNotSiblings() throws IOException {
    Path live = touch("stats.jsonl");
    touch("stats.jsonl.2026021611000"); // 13 digits
    touch("stats.jsonl.202602161100000"); // 15 digits
    touch("stats.jsonl.20260216110000.gz");
    touch("stats.jsonl.20260216110000-0");
    touch("stats.jsonl.20260216110000-");
    touch("stats.jsonl.bak");
    touch("statsXjsonl.20260216110000"); // the dot is literal
    touch("other.jsonl.20260216110000");
    Files.createDirectory(dir.resolve("stats.jsonl.20260216120000"));

    assertThat(StatsFiles.inOrder(live)).containsExactly(live);
  }

  @Test
  void rotatedFilesWithoutLiveFile() throws IOException {
    Path rotated = touch("stats.jsonl.20260216110000");
    assertThat(StatsFiles.inOrder(dir.resolve("stats.jsonl"))).containsExactly(rotated);
  }

  @Test
  void nothingFound() throws IOException {
    assertThat(StatsFiles.inOrder(dir.resolve("stats.jsonl"))).isEmpty();
    assertThat(StatsFiles.inOrder(dir.resolve("missing-dir/stats.jsonl"))).isEmpty();
  }
}
