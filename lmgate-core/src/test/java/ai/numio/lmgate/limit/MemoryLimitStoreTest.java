package ai.numio.lmgate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryLimitStoreTest extends LimitStoreContract {

  @Override
  protected LimitStore newStore() {
    return new MemoryLimitStore();
  }

  @Test
  void idleScopesAreDroppedOnceTheirBucketsAreFullAndTheirPeriodsOver() throws Exception {
    MemoryLimitStore memory = (MemoryLimitStore) store;
    for (int i = 0; i < 1000; i++) {
      memory.acquire(List.of(new Limit.Rate("key:" + i, Limit.Counted.REQUESTS, 60)), NOON);
    }
    memory.charge(
        List.of(new Limit.Budget("key:b", Limit.Unit.USD, 5, Limit.Period.DAY)),
        0,
        1.0,
        NOON,
        NOON);
    assertThat(memory.scopeCount()).isEqualTo(1001);
    // a minute later every bucket is full again; the budget's day is not over
    memory.acquire(List.of(), NOON + 60_000);
    assertThat(memory.scopeCount()).isEqualTo(1);
    memory.acquire(List.of(), NOON + 12 * 3_600_000L);
    assertThat(memory.scopeCount()).isZero();
  }

  @Test
  void aLoweredRateCapsTheLevelAtTheNewCapacity() throws Exception {
    memoryAcquire(new Limit.Rate("key:x", Limit.Counted.REQUESTS, 100), 1);
    Limit lowered = new Limit.Rate("key:x", Limit.Counted.REQUESTS, 2);
    assertThat(memoryAcquire(lowered, 10)).isEqualTo(2);
  }

  private int memoryAcquire(Limit limit, int times) throws Exception {
    int admitted = 0;
    for (int i = 0; i < times; i++) {
      if (store.acquire(List.of(limit), NOON).admitted()) {
        admitted++;
      }
    }
    return admitted;
  }
}
