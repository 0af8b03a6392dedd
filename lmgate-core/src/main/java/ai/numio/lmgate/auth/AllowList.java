package ai.numio.lmgate.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable snapshot of the allow-list: which keys may pass and whose they are. Lookups are O(1)
 * and safe from any thread.
 *
 * <p>Plaintext rows are found by a hash map on the key. Rows written as {@code sha256:<hex>} are
 * found by a second map on the digest; the presented key is hashed only when the snapshot has such
 * rows and the plaintext map missed, and a key that matched a hashed row is remembered so its later
 * lookups cost no hash. Only matching keys are remembered, so that memo never holds more entries
 * than there are hashed rows.
 */
public final class AllowList {

  private static final AllowList EMPTY = new AllowList(Map.of(), Map.of());

  private final Map<String, Optional<AllowListEntry>> byKey;
  private final Map<KeyDigest, Optional<AllowListEntry>> byDigest;
  private final Map<String, Optional<AllowListEntry>> hashedHits;
  private final int size;

  AllowList(Map<String, AllowListEntry> plaintextRows, Map<KeyDigest, AllowListEntry> hashedRows) {
    this.byKey = withPresentValues(plaintextRows);
    this.byDigest = withPresentValues(hashedRows);
    this.hashedHits =
        hashedRows.isEmpty() ? Map.of() : new ConcurrentHashMap<>(capacity(hashedRows.size()));
    this.size = plaintextRows.size() + hashedRows.size();
  }

  /** The allow-list with no entries: every key is refused. */
  public static AllowList empty() {
    return EMPTY;
  }

  /** The entry of this key, or empty if the key is not on the list. */
  public Optional<AllowListEntry> lookup(String key) {
    Optional<AllowListEntry> entry = byKey.get(key);
    if (entry != null) {
      return entry;
    }
    if (byDigest.isEmpty()) {
      return Optional.empty();
    }
    entry = hashedHits.get(key);
    if (entry != null) {
      return entry;
    }
    entry = byDigest.get(KeyDigest.of(key));
    if (entry == null) {
      return Optional.empty();
    }
    if (hashedHits.size() < byDigest.size()) {
      hashedHits.putIfAbsent(key, entry);
    }
    return entry;
  }

  /** Number of entries (plaintext and hashed rows). */
  public int size() {
    return size;
  }

  /** Keys remembered after matching a hashed row; for tests. */
  int rememberedHashedKeys() {
    return hashedHits.size();
  }

  @Override
  public String toString() {
    return "AllowList[" + byKey.size() + " plaintext, " + byDigest.size() + " hashed]";
  }

  private static <K> Map<K, Optional<AllowListEntry>> withPresentValues(
      Map<K, AllowListEntry> rows) {
    if (rows.isEmpty()) {
      return Map.of();
    }
    // The Optional is built once here, so a lookup allocates nothing.
    Map<K, Optional<AllowListEntry>> map = new HashMap<>(capacity(rows.size()));
    rows.forEach((key, entry) -> map.put(key, Optional.of(entry)));
    return map;
  }

  private static int capacity(int entries) {
    return (int) (entries / 0.75f) + 1;
  }
}
