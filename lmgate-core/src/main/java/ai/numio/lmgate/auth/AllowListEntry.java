package ai.numio.lmgate.auth;

import ai.numio.lmgate.providerkey.KeyReference;
import java.time.LocalDate;

/**
 * One allow-listed key's identity, as written in the allow-list file. The key itself is not kept
 * here.
 *
 * @param id the {@code id} column; becomes {@code lmgate_id} in usage records
 * @param owner the {@code owner} column
 * @param added the {@code added} column, as written
 * @param expires the optional {@code expires} column: the last day (UTC) the key works; null for
 *     none
 * @param upstreamKey the optional {@code upstream_key} column (SPEC-2 §15): the provider key the
 *     gateway sends for this caller, overriding the route's; null for none
 */
public record AllowListEntry(
    String id, String owner, String added, LocalDate expires, KeyReference upstreamKey) {

  /** An entry without a provider key of its own. */
  public AllowListEntry(String id, String owner, String added, LocalDate expires) {
    this(id, owner, added, expires, null);
  }

  /** An entry without an expiry. */
  public AllowListEntry(String id, String owner, String added) {
    this(id, owner, added, null);
  }
}
