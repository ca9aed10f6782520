import fc from 'fast-check';
import { FakeClock } from '../fakes/fake-clock.js';
import { ledgerOp, runLedgerScenario } from '../model/ledger-scenario.js';
import { expectLedgerInvariants } from '../support/ledger-invariants.js';
import { postgresUseCases } from '../support/postgres-use-cases.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

describe('randomized ledger on PostgreSQL against the reference model', function () {
  this.timeout(300_000);
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => database?.drop());

  it('agrees with the model, and the stored rows keep every invariant', async () => {
    const { sequelize } = database;
    await fc.assert(
      fc.asyncProperty(fc.array(ledgerOp, { minLength: 5, maxLength: 30 }), async (ops) => {
        // Each run adds its own schools and students to the same database.
        const clock = new FakeClock('2026-03-10T15:00:00Z');
        const { useCases } = postgresUseCases(sequelize, clock);
        await runLedgerScenario({ useCases, clock }, ops);
      }),
      { numRuns: 60, seed },
    );
    await expectLedgerInvariants(sequelize);
  });
});
