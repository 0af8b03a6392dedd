package ai.numio.lmgate.redis;

import ai.numio.lmgate.limit.LimitStore;
import ai.numio.lmgate.limit.LimitStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract every {@link LimitStore} passes, against a real Redis. */
class RedisLimitStoreContractTest extends LimitStoreContract {

  private static RedisServer server;
  private static String url;

  @BeforeAll
  static void startRedis() throws Exception {
    url = RedisServer.sharedUrl();
    if (url == null) {
      server = RedisServer.start();
      url = server.url();
    }
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected LimitStore newStore() {
    return RedisLimitStore.connect(url);
  }
}
