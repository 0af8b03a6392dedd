package ai.numio.lmgate.stats;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stats file and its rotated siblings, oldest first: the gateway renames a full file to {@code
 * <name>.<yyyyMMddHHmmss>} (UTC), adding {@code -1}, {@code -2} … when that name is taken (SPEC
 * §5), so the stamp, then the suffix, orders them; the live file is the newest.
 */
public final class StatsFiles {

  private StatsFiles() {}

  /**
   * The rotated siblings of {@code live} in chronological order, then {@code live} itself if it
   * exists. Only regular files count; an empty list means none was found.
   */
  public static List<Path> inOrder(Path live) throws IOException {
    Path name = live.getFileName();
    Path dir = live.toAbsolutePath().getParent();
    List<Rotated> rotated = new ArrayList<>();
    if (name != null && dir != null && Files.isDirectory(dir)) {
      Pattern pattern =
          Pattern.compile(Pattern.quote(name.toString()) + "\\.(\\d{14})(?:-([1-9]\\d{0,8}))?");
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          Matcher m = pattern.matcher(entry.getFileName().toString());
          if (m.matches() && Files.isRegularFile(entry)) {
            int suffix = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            rotated.add(new Rotated(live.resolveSibling(entry.getFileName()), m.group(1), suffix));
          }
        }
      }
    }
    rotated.sort(Comparator.comparing(Rotated::stamp).thenComparingInt(Rotated::collisionSuffix));
    List<Path> files = new ArrayList<>(rotated.size() + 1);
    for (Rotated r : rotated) {
      files.add(r.path);
    }
    if (Files.isRegularFile(live)) {
      files.add(live);
    }
    return files;
  }

  private record Rotated(Path path, String stamp, int collisionSuffix) {}
}
