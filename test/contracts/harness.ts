import type { StatementReader } from '../../src/application/ports/statement-reader.js';
import type { Repositories, UnitOfWork } from '../../src/application/ports/unit-of-work.js';

/**
 * What a contract suite runs against: repositories outside any transaction, a
 * unit of work and a statement reader, all over one store. Each suite opens
 * one harness (a fresh store) and every test makes its own rows with fresh
 * ids, so tests never see each other's data except in global lists.
 */
export interface ContractHarness {
  readonly repositories: Repositories;
  readonly uow: UnitOfWork;
  readonly reader: StatementReader;
  close(): Promise<void>;
}

export type HarnessFactory = () => Promise<ContractHarness>;

/** Opens a harness before a suite's tests and closes it after them; `get()` is valid inside tests. */
export function useHarness(factory: HarnessFactory): { get(): ContractHarness } {
  let harness: ContractHarness | undefined;
  before(async function () {
    this.timeout(30_000);
    harness = await factory();
  });
  after(async () => {
    await harness?.close();
  });
  return {
    get() {
      if (!harness) throw new Error('harness not open');
      return harness;
    },
  };
}
