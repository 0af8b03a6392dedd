package ai.numio.lmgate.standalone;

import ai.numio.lmgate.config.LMGateConfig;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The operator's allow-list on a fresh clone or install. {@code data/allowlist.csv} is not in git
 * (the repository ships {@code data/allowlist.example.csv}, which authorizes nothing), so when the
 * configured {@code auth.allowlist_path} is that default and does not exist, {@code serve} creates
 * it with a header and no key: the gateway starts, answers {@code /healthz}, and refuses every
 * request with 403 until the operator adds rows. Any other missing allow-list stays fatal (SPEC
 * §4): a path the operator chose that is not there is a mistake to report, not to paper over.
 */
final class DefaultAllowList {

  /** What a created allow-list holds: comments and the header, no key. */
  static final String CONTENT =
      """
      # LMGate allow-list: one row per API key allowed through the gateway; every other request is
      # refused with 403. Created with no keys on the first start; this file is yours (not in git).
      # Columns: id (unique), api_key (the key, or sha256:<64 hex> from `lmgate.jar hash-key`),
      # owner, added. Lines starting with # are ignored. Example: data/allowlist.example.csv.
      # Changes are picked up within auth.poll_interval_seconds (30 s), without a restart.
      id,api_key,owner,added
      """;

  private DefaultAllowList() {}

  /**
   * Creates the allow-list with no key if the configuration names the default one and there is
   * nothing at that path (not even a dangling link). Never overwrites.
   *
   * @return the file created, or empty if nothing was done
   * @throws IOException if the file or its directory cannot be created
   */
  static Optional<Path> createIfMissing(LMGateConfig config, Path workingDir) throws IOException {
    Path path = config.auth().allowlistPath();
    if (!path.equals(LMGateConfig.defaults(workingDir).auth().allowlistPath())
        || Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Files.createDirectories(path.getParent());
    try {
      Files.writeString(path, CONTENT, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      return Optional.empty();
    }
    return Optional.of(path);
  }
}
