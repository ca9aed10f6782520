import { FakeClock } from './fake-clock.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from './in-memory-repositories.js';
import { InMemoryState } from './in-memory-state.js';
import { InMemoryStatementReader } from './in-memory-statement-reader.js';
import { SequentialIds } from './sequential-ids.js';

/** Every port of the application, faked, sharing one in-memory state. */
export function fakeBilling(start?: string) {
  const state = new InMemoryState();
  return {
    state,
    clock: new FakeClock(start),
    ids: new SequentialIds(),
    uow: new InMemoryUnitOfWork(state),
    reader: new InMemoryStatementReader(state),
    ...inMemoryRepositories(state),
  };
}

export type FakeBilling = ReturnType<typeof fakeBilling>;
