package ai.numio.lmgate.auth;

/**
 * One allow-listed key's identity, as written in the allow-list file. The key itself is not kept
 * here.
 *
 * @param id the {@code id} column; becomes {@code lmgate_id} in usage records
 * @param owner the {@code owner} column
 * @param added the {@code added} column, as written
 */
public record AllowListEntry(String id, String owner, String added) {}
