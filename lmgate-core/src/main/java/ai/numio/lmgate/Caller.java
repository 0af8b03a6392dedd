package ai.numio.lmgate;

import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.auth.KeyMask;

/**
 * An authorized caller: the allow-list entry its key matched, and the key itself (needed for the
 * record's masked key; never logged whole — {@link #toString()} masks it).
 */
public record Caller(AllowListEntry entry, String apiKey) {

  /** The allow-list {@code id}; adapters expose it as request attribute {@code lmgate.id}. */
  public String id() {
    return entry.id();
  }

  /** The allow-list {@code owner}; adapters expose it as {@code lmgate.owner}. */
  public String owner() {
    return entry.owner();
  }

  @Override
  public String toString() {
    return "Caller[id="
        + entry.id()
        + ", owner="
        + entry.owner()
        + ", key="
        + KeyMask.forLog(apiKey)
        + "]";
  }
}
